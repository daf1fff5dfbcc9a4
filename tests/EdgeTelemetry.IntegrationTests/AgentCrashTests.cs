using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Central.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeTelemetry.IntegrationTests;

public class AgentCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Agent_killed_hard_mid_stream_delivers_every_committed_sample_and_replays_add_no_points()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        var config = plant.AgentConfig("cf-4", "centrifuge", intervalMs: 20);
        var bufferPath = plant.BufferPath("cf-4");

        long committedAtLastKill = 0;
        for (var cycle = 0; cycle < 3; cycle++)
        {
            using var agent = plant.StartAgentProcess(config);
            var target = committedAtLastKill + 60;
            await Eventually.TrueAsync(async () => (await Plant.ReadBufferFileAsync(bufferPath)).MaxSeq >= target, Patience, $"cycle {cycle}: {target} samples committed");
            agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync();
            var (committed, _, _) = await Plant.ReadBufferFileAsync(bufferPath);
            Assert.True(committed >= target, $"cycle {cycle}: the buffer lost committed rows ({committed} < {target})");
            committedAtLastKill = committed;
        }

        using (var last = plant.StartAgentProcess(config))
        {
            await Eventually.TrueAsync(async () => (await Plant.ReadBufferFileAsync(bufferPath)).MaxSeq >= committedAtLastKill + 50, Patience, "sampling resumed on the same buffer");
            await Signals.TerminateAsync(last, TimeSpan.FromSeconds(30));
        }
        // Stopped: everything it sampled must be stored (the agent no longer runs to send it).
        var (sampled, _, _) = await Plant.ReadBufferFileAsync(bufferPath);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-4") == sampled, Patience,
            $"all {sampled} samples stored", async () => $"{await plant.StoredCountAsync("cf-4")} stored");
        Assert.Equal(Enumerable.Range(1, (int)sampled).Select(i => (long)i), (await plant.StoredSeqsAsync("cf-4")).Order());

        // Force a full replay: every sample unsent again, as if no receipt had ever been recorded.
        await SampleBuffer.ForgetReceiptsAsync(bufferPath);
        Assert.Equal(sampled, (await Plant.ReadBufferFileAsync(bufferPath)).Unreceipted);
        var metrics = central.Services.GetRequiredService<IngestMetrics>();
        var storedBefore = metrics.SamplesStored;
        // A fresh session: receipts the broker still holds for the old one would (rightly) settle rows reset here.
        using (var replay = plant.StartAgentProcess(config, "--Agent:Broker:ClientId=cf-4-replay"))
        {
            await Eventually.TrueAsync(async () => metrics.SamplesStored >= storedBefore + sampled, Patience, "the replayed samples written again");
            await Signals.TerminateAsync(replay, TimeSpan.FromSeconds(30));
        }
        var (finalSampled, _, _) = await Plant.ReadBufferFileAsync(bufferPath);
        await Eventually.TrueAsync(async () => metrics.SamplesStored >= storedBefore + finalSampled, Patience, "everything written");
        Assert.Equal(finalSampled, await plant.StoredCountAsync("cf-4"));
    }
}
