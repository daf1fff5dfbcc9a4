using EdgeTelemetry.Agent.Transfer;
using EdgeTelemetry.Central.Transfer;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

public class OfflineTransferTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bundle_carried_to_town_imports_idempotently_and_the_later_online_sync_adds_nothing()
    {
        await using var plant = await Plant.StartAsync();
        await plant.Broker.StopAsync(); // no link at the site
        var config = plant.AgentConfig("cf-x", "centrifuge", intervalMs: 20);
        var agent = await plant.StartAgentFromAsync(config);
        var offlineBuffer = Plant.BufferOf(agent);
        await Eventually.TrueAsync(async () => (await offlineBuffer.CountAsync()).Unsent >= 200, Patience, "200 samples buffered offline");
        await agent.StopAsync();
        agent.Dispose();
        await offlineBuffer.DisposeAsync();
        var (sampledOffline, unsent) = await Plant.ReadBufferFileAsync(plant.BufferPath("cf-x"));
        Assert.Equal(sampledOffline, unsent);

        var usb = Path.Combine(plant.Dir, "usb");
        var log = new StringWriter();
        Assert.Equal(0, await BundleExport.RunAsync(["--config", config, "--out", usb], log));
        var bundle = Assert.Single(Directory.GetFiles(usb));
        Assert.Equal(unsent, (await Plant.ReadBufferFileAsync(plant.BufferPath("cf-x"))).Unsent); // export marks nothing sent

        string[] influx = [$"--Influx:Url={plant.Influx.Url}", $"--Influx:Database={Plant.Database}"];
        Assert.Equal(0, await BundleImport.RunAsync([bundle, .. influx], log));
        Assert.Equal(sampledOffline, await plant.StoredCountAsync("cf-x"));
        Assert.Equal(0, await BundleImport.RunAsync([bundle, .. influx], log));
        Assert.Equal(sampledOffline, await plant.StoredCountAsync("cf-x")); // importing twice adds nothing

        // The link comes back: the agent sends everything it holds, including what was imported.
        await plant.Broker.StartAgainAsync();
        plant.Own(await plant.StartCentralAsync());
        var online = await plant.StartAgentFromAsync(config);
        var buffer = Plant.BufferOf(online);
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent >= sampledOffline + 50, Patience, "online sync of the backlog and new samples");
        await online.StopAsync();
        var sampled = (await buffer.CountAsync()).Sampled;
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-x") == sampled, Patience, $"all {sampled} stored",
            async () => $"{await plant.StoredCountAsync("cf-x")} stored");
        Assert.Equal(Enumerable.Range(1, (int)sampled).Select(i => (long)i), (await plant.StoredSeqsAsync("cf-x")).Order());
        var size = new FileInfo(bundle).Length;
        output.WriteLine($"{log}bundle: {sampledOffline} samples in {size} bytes = {size / (double)sampledOffline:F1} bytes/sample gzip'd; after online sync {sampled} stored, no duplicates");
        online.Dispose();
        await buffer.DisposeAsync();
    }
}
