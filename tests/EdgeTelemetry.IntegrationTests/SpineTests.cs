using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>The path sample → buffer → MQTT → central → InfluxDB, on real mosquitto and influxd.</summary>
public class SpineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sampled_points_arrive_in_influxdb_with_their_measurement_tags_fields_and_timestamps()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        var agent = await plant.StartAgentAsync("cf-1", "centrifuge", intervalMs: 50);
        var buffer = Plant.BufferOf(agent);
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent >= 40, Patience, "40 samples sent");
        await agent.StopAsync();
        var all = await buffer.ReadAfterAsync(0, 100_000);
        var sampled = all.Where(s => s.Measurement == "centrifuge").ToList();
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-1") == all.Count, Patience,
            $"{all.Count} points stored", async () => $"{await plant.StoredCountAsync("cf-1")} stored");

        var series = await plant.Influx.QuerySeriesAsync(Plant.Database,
            "SELECT * FROM centrifuge, \"raw\".centrifuge WHERE device = 'cf-1' GROUP BY site, device, equipment");
        var s = Assert.Single(series);
        Assert.Equal(new Dictionary<string, string> { ["site"] = Plant.Site, ["device"] = "cf-1", ["equipment"] = "centrifuge-1" }, s.Tags);
        var byTime = s.Rows.ToDictionary(r => Convert.ToInt64(r[0]), r => s.Columns.Zip(r).ToDictionary(p => p.First, p => p.Second));
        foreach (var sample in sampled)
        {
            Assert.True(byTime.TryGetValue(sample.TimestampNs, out var row), $"no point at {sample.TimestampNs} (seq {sample.Seq})");
            Assert.Equal(sample.Seq, Convert.ToInt64(row["seq"]));
            foreach (var reading in sample.Readings)
                Assert.Equal(reading.Value, Convert.ToDouble(row[reading.Name]));
        }
        await agent.StopAsync();
        agent.Dispose();
        await buffer.DisposeAsync();
    }

    [Fact]
    public async Task Broker_outage_loses_nothing_the_agent_sampled_meanwhile()
    {
        await using var plant = await Plant.StartAsync();
        plant.Own(await plant.StartCentralAsync());
        var agent = await plant.StartAgentAsync("cf-2", "centrifuge", intervalMs: 50);
        var buffer = Plant.BufferOf(agent);
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent >= 20, Patience, "20 samples sent before the outage");

        await plant.Broker.StopAsync();
        var atStop = await buffer.CountAsync();
        // ~10 s of sampling at 20 Hz with nowhere to send it.
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sampled >= atStop.Sampled + 200, Patience, "200 samples buffered during the outage");
        Assert.True((await buffer.CountAsync()).Unsent >= 150, "samples taken during the outage must wait in the buffer");
        await plant.Broker.StartAgainAsync();

        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent > atStop.Sent + 200, Patience, "backlog sent after the broker returned");
        await agent.StopAsync();
        var sampled = (await buffer.CountAsync()).Sampled;
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-2") == sampled, Patience,
            $"all {sampled} points stored", async () => $"{await plant.StoredCountAsync("cf-2")} stored");
        Assert.Equal(Enumerable.Range(1, (int)sampled).Select(i => (long)i), (await plant.StoredSeqsAsync("cf-2")).Order());
        agent.Dispose();
        await buffer.DisposeAsync();
    }

    [Fact]
    public async Task Influxdb_outage_and_a_central_restart_during_it_lose_nothing_because_acks_wait_for_the_write()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        var agent = await plant.StartAgentAsync("cf-3", "centrifuge", intervalMs: 50);
        var buffer = Plant.BufferOf(agent);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-3") >= 20, Patience, "20 points stored before the outage");

        await plant.Influx.StopAsync();
        var atStop = await buffer.CountAsync();
        // The agent keeps delivering to the broker: the central service holds those messages unacknowledged.
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent >= atStop.Sent + 100, Patience, "100 samples delivered to the broker during the outage");
        var metrics = central.Services.GetRequiredService<EdgeTelemetry.Central.Ingest.IngestMetrics>();
        Assert.True(metrics.WriteRetries > 0, "writes must have been retried while InfluxDB was down");

        // Stopping the central service now drops what it held in memory; only the broker's redelivery can save it.
        await central.StopAsync();
        await central.DisposeAsync();
        await plant.Influx.StartAgainAsync();
        var restarted = await plant.StartCentralAsync();
        plant.Own(restarted);

        await agent.StopAsync();
        var sampled = (await buffer.CountAsync()).Sampled;
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-3") == sampled, Patience,
            $"all {sampled} points stored", async () => $"{await plant.StoredCountAsync("cf-3")} stored");
        Assert.Equal(Enumerable.Range(1, (int)sampled).Select(i => (long)i), (await plant.StoredSeqsAsync("cf-3")).Order());
        // The restarted instance rebuilt its delivery account from InfluxDB: no phantom gap for what came before.
        var account = restarted.Services.GetRequiredService<EdgeTelemetry.Central.Ingest.DeliveryTracker>().Summary().Single(a => a.Device == "cf-3");
        Assert.Equal((sampled, 0L), (account.Received, account.Missing));
        agent.Dispose();
        await buffer.DisposeAsync();
    }
}
