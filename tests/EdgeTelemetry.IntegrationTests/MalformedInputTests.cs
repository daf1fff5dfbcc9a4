using System.Text;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.IntegrationTests;

public class MalformedInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string RawTopic = "edgetelemetry/v1/" + Plant.Site + "/raw-1/telemetry";

    private static string Envelope(string samples, int version = 1, string device = "raw-1", string extra = "") =>
        $$"""{"v":{{version}},"site":"{{Plant.Site}}","device":"{{device}}","stream":"s1","samples":[{{samples}}]{{extra}}}""";

    private static string Sample(long seq, long t, string value = "400") =>
        $$"""{"seq":{{seq}},"t":{{t}},"m":"centrifuge","eq":"icon-1","r":[{"n":"bowl_speed","v":{{value}},"u":"rpm"}]}""";

    [Fact]
    public async Task Each_malformed_input_is_rejected_with_its_reason_while_a_parallel_valid_stream_is_stored_completely()
    {
        await using var plant = await Plant.StartAsync();
        // Enrolled devices only: the agent and the raw publisher below; anything else is unknown_device.
        var central = await plant.StartCentralAsync("--Ingest:KnownDevicesOnly=true",
            $"--Ingest:KnownDevices:0={Plant.Site}/cf-5", $"--Ingest:KnownDevices:1={Plant.Site}/raw-1");
        plant.Own(central);
        var agent = await plant.StartAgentAsync("cf-5", "centrifuge", intervalMs: 20);
        var buffer = Plant.BufferOf(agent);

        var now = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow);
        var cases = new (string Reason, string Payload)[]
        {
            ("malformed_json", """{"v":1,"site":"""),
            ("unsupported_version", Envelope(Sample(1, now), version: 2)),
            ("device_mismatch", Envelope(Sample(1, now), device: "someone-else")),
            ("unknown_field", Envelope(Sample(1, now), extra: ""","hack":true""")),
            ("empty_batch", Envelope("")),
            // Sample-level problems: the good samples beside them (seq 100, 103) are stored.
            ("non_finite_value", Envelope($"{Sample(100, now)},{Sample(101, now + 1, "\"NaN\"")},{Sample(102, now + 2, "\"-Infinity\"")},{Sample(103, now + 3)}")),
            ("timestamp_out_of_range", Envelope($"{Sample(200, now + (long)TimeSpan.FromDays(365).TotalMilliseconds * 1_000_000)},{Sample(201, 946_684_799_000_000_000)}")),
            ("reserved_measurement", Envelope(Sample(300, now).Replace("\"centrifuge\"", "\"process_batch\""))),
            ("invalid_stream", Envelope(Sample(1, now)).Replace("\"s1\"", "\"abc\\n\"")),
            ("invalid_sequence", Envelope(Sample(9223372036854775807, now))),
        };

        using var raw = new MqttClientFactory().CreateMqttClient();
        await raw.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        foreach (var (_, payload) in cases)
            await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(RawTopic).WithPayload(Encoding.UTF8.GetBytes(payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"edgetelemetry/v1/{Plant.Site}/stranger-1/telemetry")
            .WithPayload(Encoding.UTF8.GetBytes(Envelope(Sample(1, now), device: "stranger-1")))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var metrics = central.Services.GetRequiredService<IngestMetrics>();
        await Eventually.TrueAsync(() => Task.FromResult(metrics.RejectedTotal >= 13), Patience, "13 rejections counted",
            () => Task.FromResult(metrics.ToPrometheusText()));
        // Counted on receipt, stored when the dead-letter write lands: wait for the store.
        IReadOnlyList<EdgeTelemetry.LocalServers.InfluxSeries> rejects = [];
        await Eventually.TrueAsync(async () =>
        {
            rejects = await plant.Influx.QuerySeriesAsync(Plant.Database, "SELECT detail, topic FROM rejects GROUP BY reason, device");
            return rejects.Sum(r => r.Rows.Count) >= 13;
        }, Patience, "13 dead-letter entries stored");
        foreach (var (reason, _) in cases)
        {
            var series = rejects.SingleOrDefault(s => s.Tags["reason"] == reason && s.Tags["device"] == "raw-1");
            Assert.True(series is not null, $"no dead-letter entry for {reason}");
            Assert.Equal("raw-1", series.Tags["device"]);
            Assert.All(series.Rows, r => Assert.Equal(RawTopic, r[2]));
            Assert.True(metrics.Rejected(reason) >= 1, $"{reason} not counted");
        }
        Assert.Equal(2, metrics.Rejected("non_finite_value"));
        Assert.Single(rejects, s => s.Tags["reason"] == "unknown_device" && s.Tags["device"] == "stranger-1");
        Assert.Equal(0, await plant.StoredCountAsync("stranger-1"));
        Assert.Equal(2, metrics.Rejected("timestamp_out_of_range"));
        Assert.Equal([100L, 103L], (await plant.StoredSeqsAsync("raw-1")).Order());
        // The forged batch record did not land where recorded batches live.
        Assert.Empty(await plant.Influx.QuerySeriesAsync(Plant.Database, "SELECT * FROM process_batch"));

        // Beyond the broker's max_packet_size the publish is refused (by the client, which knows the
        // broker's limit from CONNACK, or by the broker, which drops the connection); nothing is stored.
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        raw.DisconnectedAsync += _ => { disconnected.TrySetResult(); return Task.CompletedTask; };
        try
        {
            await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(RawTopic)
                .WithPayload(Encoding.UTF8.GetBytes(Envelope(Sample(400, now)) + new string(' ', 300 * 1024)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await disconnected.Task.WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is not TimeoutException) { /* refused before sending */ }

        await agent.StopAsync();
        var sampled = (await buffer.CountAsync()).Sampled;
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-5") == sampled, Patience,
            $"the valid stream's {sampled} samples stored", async () => $"{await plant.StoredCountAsync("cf-5")} stored");
        agent.Dispose();
        await buffer.DisposeAsync();
    }

    [Fact]
    public async Task The_delivery_restore_skips_damaged_records_copes_with_the_largest_seq_and_ingest_resumes_at_once()
    {
        await using var plant = await Plant.StartAsync();
        await plant.Influx.ExecuteAsync($"CREATE DATABASE \"{Plant.Database}\"");
        var now = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow);
        await plant.Influx.WriteAsync(Plant.Database, string.Join("\n",
            $"delivery,site={Plant.Site},device=old-1,stream=s1 ranges=\"1-9007199254740992\",count=9007199254740992i,duplicates=0i,evicted=0i {now - 3_000_000_000}",
            $"delivery,site={Plant.Site},device=old-2,stream=s1 ranges=\"1-x,5\",count=2i,duplicates=0i,evicted=0i {now - 2_000_000_000}",
            $"delivery,site={Plant.Site},device=old-3,stream=s1 ranges=\"1-10,12\",count=11i,duplicates=1i,evicted=0i {now - 1_000_000_000}") + "\n");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        var agent = await plant.StartAgentAsync("cf-6", "centrifuge", intervalMs: 50);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-6") > 0, TimeSpan.FromSeconds(30), "the first sample stored");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"first write {started.Elapsed.TotalSeconds:F1} s after start");

        Assert.Equal(RestoreState.Done, central.Services.GetRequiredService<IngestHealth>().Restore);
        var summary = central.Services.GetRequiredService<DeliveryTracker>().Summary();
        Assert.Equal(EdgeTelemetry.Wire.BatchValidator.MaxSeq, summary.Single(s => s.Device == "old-1").HighestSeq);
        Assert.DoesNotContain(summary, s => s.Device == "old-2");
        Assert.Equal([(11L, 11L)], summary.Single(s => s.Device == "old-3").Gaps);
        await agent.StopAsync();
        agent.Dispose();
    }
}
