using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// Several central instances in one shared-subscription group on real mosquitto and influxd (issue 12): the load is
/// split, every sample is stored once, one instance killed -9 mid-load costs nothing, and /api/delivery gives one
/// answer whichever instance is asked.
/// </summary>
public class MultiInstanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly string[] Devices = ["cf-m1", "cf-m2", "cf-m3"];

    // A short session expiry returns a dead instance's share to the group; a one-second sync keeps the test short.
    private static string[] Instance(string name) =>
        [$"--Ingest:ClientId=central-{name}-{Guid.NewGuid():N}"[..^24], "--Ingest:SessionExpirySeconds=5", "--Ingest:DeliverySyncSeconds=1"];

    [Fact]
    public async Task Two_instances_split_the_load_one_killed_mid_load_loses_nothing_and_every_instance_gives_one_account()
    {
        await using var plant = await Plant.StartAsync();
        var (a, aMetrics) = plant.StartCentralProcess(Instance("a"));
        var (b, bMetrics) = plant.StartCentralProcess(Instance("b"));
        Process? c = null;
        var agents = new List<IHost>();
        try
        {
            await Task.WhenAll(ReadyAsync(aMetrics), ReadyAsync(bMetrics));
            foreach (var device in Devices)
                // A receipt lost with the killed instance is asked for again after 3 s.
                agents.Add(await plant.StartAgentFromAsync(plant.AgentConfig(device, "centrifuge", intervalMs: 20), "--Agent:Publish:ReceiptTimeoutSeconds=3"));
            foreach (var device in Devices)
                await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 100, Patience, $"100 samples of {device} stored");
            // Both instances carry a share before one of them dies.
            await Eventually.TrueAsync(async () => await Plant.CounterAsync(aMetrics, "edgetelemetry_samples_stored_total") > 0
                && await Plant.CounterAsync(bMetrics, "edgetelemetry_samples_stored_total") > 0, Patience, "both instances storing");
            var storedByA = await Plant.CounterAsync(aMetrics, "edgetelemetry_samples_stored_total");

            a.Kill(entireProcessTree: true);
            await a.WaitForExitAsync();
            var killedAt = Stopwatch.StartNew();
            // Everything sampled up to a moment after the kill must be stored, once, by the survivor.
            var buffers = agents.Select(Plant.BufferOf).ToList();
            var sampledAtKill = new long[Devices.Length];
            for (var i = 0; i < Devices.Length; i++) sampledAtKill[i] = (await buffers[i].CountAsync()).Sampled;
            var upTo = new long[Devices.Length];
            for (var i = 0; i < Devices.Length; i++)
            {
                var buffer = buffers[i];
                var atKill = sampledAtKill[i];
                await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sampled >= atKill + 200, Patience, "200 more samples after the kill");
                upTo[i] = (await buffer.CountAsync()).Sampled;
            }
            for (var i = 0; i < Devices.Length; i++)
            {
                var (device, limit) = (Devices[i], upTo[i]);
                await Eventually.TrueAsync(async () => (await plant.StoredSeqsAsync(device)).Count(s => s <= limit) >= limit, Patience,
                    $"{device}: seqs 1-{limit} stored", async () => $"{(await plant.StoredSeqsAsync(device)).Count(s => s <= limit)} stored");
                var stored = (await plant.StoredSeqsAsync(device)).Where(s => s <= limit).Order().ToList();
                Assert.Equal(Enumerable.Range(1, (int)limit).Select(s => (long)s), stored); // each once, none lost
            }
            var takeOver = killedAt.Elapsed;
            foreach (var agent in agents) await agent.StopAsync();

            // A third instance started now rebuilds the account from InfluxDB alone; the survivor has its own
            // live part plus what it merged from the killed one. Both must say the same.
            (c, var cMetrics) = plant.StartCentralProcess(Instance("c"));
            await ReadyAsync(cMetrics);
            string fromB = "", fromC = "";
            await Eventually.TrueAsync(async () =>
            {
                fromB = await DeliveryAsync(plant, bMetrics);
                fromC = await DeliveryAsync(plant, cMetrics);
                return fromB == fromC && fromB.Length > 2;
            }, Patience, "one account from either instance", () => Task.FromResult($"b: {fromB}\nc: {fromC}"));
            using var account = JsonDocument.Parse(fromB);
            for (var i = 0; i < Devices.Length; i++)
            {
                var stream = account.RootElement.EnumerateArray().Single(s => s.GetProperty("device").GetString() == Devices[i]);
                Assert.True(stream.GetProperty("received").GetInt64() >= upTo[i]);
                // Whatever is missing lies beyond what the survivor had to store (the agents stopped with some unreceipted).
                Assert.All(stream.GetProperty("gaps").EnumerateArray(), g => Assert.True(g.GetProperty("from").GetInt64() > upTo[i]));
            }
            var storedByB = await Plant.CounterAsync(bMetrics, "edgetelemetry_samples_stored_total");
            output.WriteLine($"2 instances, 3 agents at 50 samples/s: stored by a before its kill {storedByA}, by b {storedByB}; " +
                $"all of seqs 1-{string.Join("/", upTo)} stored once {takeOver.TotalSeconds:F1} s after the kill; account: {fromB}");
        }
        finally
        {
            foreach (var agent in agents) agent.Dispose();
            foreach (var p in new[] { a, b, c })
            {
                if (p is null) continue;
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await p.WaitForExitAsync();
                p.Dispose();
            }
        }
    }

    /// <summary>Subscribed and with its account restored.</summary>
    private static Task ReadyAsync(Uri metrics) => Eventually.TrueAsync(async () =>
    {
        using var http = new HttpClient();
        try
        {
            using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri(metrics, "/healthz")));
            return health.RootElement.GetProperty("restore").GetString() == "done";
        }
        catch (HttpRequestException) { return false; }
    }, Patience, $"central at {metrics.Authority} ready");

    /// <summary>/api/delivery without the time each instance last heard from a stream (that is its own clock).</summary>
    private static async Task<string> DeliveryAsync(Plant plant, Uri metrics)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", plant.OperatorKey);
        var streams = await http.GetFromJsonAsync<List<Dictionary<string, JsonElement>>>(new Uri(metrics, "/api/delivery"));
        return JsonSerializer.Serialize(streams!.Select(s => s.Where(p => p.Key != "lastSeen").ToDictionary()));
    }
}
