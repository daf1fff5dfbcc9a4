using System.Globalization;
using System.Text.Json;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// Issue 14: a replay may repeat stored evidence, never change it — through real Mosquitto and influxd. An identical
/// re-send is a duplicate; one that would change a stored mercury value (same stream, or a new stream replaying an
/// old timestamp) is dead-lettered as conflicting_replay with both versions, and the report says so.
/// </summary>
public class ReplayConflictTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Equipment = "hg-1";

    [Fact]
    public async Task Runs_another_instance_stored_let_an_out_of_order_batch_of_a_split_stream_through_unchecked_and_nothing_landing_on_them()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        var sync = central.Services.GetRequiredService<DeliverySync>();
        var replays = central.Services.GetRequiredService<ReplayGuard>();
        const string device = "cf-split", stream = "0123456789abcdef0123456789abcdef";
        var t = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddMinutes(-5));
        long At(long seq) => t + seq * 1_000_000_000L;
        // Another instance of the group stored seqs 1-10 and 31-40 of the stream (its delivery records, as it writes them).
        string Record(long from, long to, long arrived) => string.Create(CultureInfo.InvariantCulture,
            $"delivery,site={Plant.Site},device={device},stream={stream} ranges=\"{from}-{to}\",count={to - from + 1}i,duplicates=0i,evicted=0i,run=\"other-instance\",arrived={arrived}i,evicted_total=0i,earliest={At(from)}i,latest={At(to)}i {Time.ToUnixNanoseconds(DateTimeOffset.UtcNow) + from}");
        await plant.Influx.WriteAsync(Plant.Database, Record(1, 10, 10) + "\n" + Record(31, 40, 20));
        Assert.False(replays.IsFresh(Plant.Site, device, stream, [(11, 20)], At(11), At(20))); // nothing known of it yet: compared

        await sync.CatchUpAsync(CancellationToken.None);

        // Seqs 11-20 with their times between the two runs: the other instance's share of the stream, no look needed.
        Assert.True(replays.IsFresh(Plant.Site, device, stream, [(11, 20)], At(11), At(20)));
        // New seqs whose times land on the stored run 31-40 (a forgery, or a clock that stepped back): compared.
        Assert.False(replays.IsFresh(Plant.Site, device, stream, [(41, 50)], At(35), At(45)));
        // Seqs that arrived before: compared.
        Assert.False(replays.IsFresh(Plant.Site, device, stream, [(9, 12)], At(9), At(12)));
    }

    [Fact]
    public async Task Replays_that_would_change_stored_mercury_values_are_refused_with_both_versions_and_reported_while_ingest_goes_on()
    {
        const string device = "hg-replay";
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        await using var mqtt = await RawClient.ConnectAsync(plant);
        var metrics = central.Services.GetRequiredService<IngestMetrics>();
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddMinutes(-10));
        List<Sample> Mercury(int from, int count, long start, Func<long, double>? value = null) => [.. Enumerable.Range(from, count).Select(seq =>
            new Sample(seq, start + (seq - from) * 1_000_000_000L, "mercury_vapour", Equipment,
                [new Reading("hg", value?.Invoke(seq) ?? seq * 0.25, Units.MicrogramPerCubicMetre)]))];
        var original = Mercury(1, 5, t0);
        var topic = Topics.For(Plant.Site, device, TopicKind.Telemetry);

        await mqtt.PublishAsync(topic, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, device, "stream-a", "0.1.0", original)));
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) == 5, Patience, "the batch stored");
        var stored = await HgAsync(plant, device);

        // An honest re-send after a lost acknowledgement: a duplicate, nothing else.
        var acked = metrics.AcknowledgedTotal;
        await mqtt.PublishAsync(topic, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, device, "stream-a", "0.1.0", original)));
        await Eventually.TrueAsync(() => Task.FromResult(metrics.AcknowledgedTotal > acked), Patience, "the re-send handled");
        Assert.Equal(5, metrics.DuplicatesTotal);
        Assert.Empty(await ConflictsAsync(plant, device));
        Assert.Equal(stored, await HgAsync(plant, device));

        // The same batch with one mercury value lowered and one new sample: the lowered one is refused, the stored value
        // stands and both versions are kept; the new one is stored (a re-send may mix stored seqs with new ones).
        var lowered = Mercury(1, 6, t0, seq => seq == 3 ? 0.01 : seq * 0.25);
        await mqtt.PublishAsync(topic, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, device, "stream-a", "0.1.0", lowered)));
        await Eventually.TrueAsync(async () => (await ConflictsAsync(plant, device)).Count == 1 && await plant.StoredCountAsync(device) == 6,
            Patience, "a conflicting_replay dead letter, and the new sample stored");
        Assert.Equal(stored, (await HgAsync(plant, device)).Where(kv => kv.Key <= 5).ToDictionary());
        Assert.Equal(1.5, (await HgAsync(plant, device))[6]);
        var conflict = (await ConflictsAsync(plant, device)).Single();
        var offered = JsonDocument.Parse(conflict.Offered).RootElement.EnumerateArray().Single();
        Assert.Equal(3, offered.GetProperty("seq").GetInt64());
        Assert.Equal(0.01, offered.GetProperty("fields").GetProperty("hg").GetDouble());
        var kept = JsonDocument.Parse(conflict.Stored).RootElement.EnumerateArray().Single().GetProperty("points").EnumerateArray().Single();
        Assert.Equal(0.75, kept.GetProperty("fields").GetProperty("hg").GetDouble());
        Assert.Equal(original[2].TimestampNs, kept.GetProperty("t").GetInt64());
        Assert.Contains("hg stored 0.75, offered 0.01", conflict.Detail);

        // An agent reinstall (new stream id) replaying an old timestamp with another value: refused too.
        await mqtt.PublishAsync(topic, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, device, "stream-b", "0.1.0", Mercury(1, 1, original[1].TimestampNs, _ => 0.02))));
        await Eventually.TrueAsync(async () => (await ConflictsAsync(plant, device)).Count == 2, Patience, "the new stream's replay refused");
        Assert.Equal(stored, (await HgAsync(plant, device)).Where(kv => kv.Key <= 5).ToDictionary());

        // Ingest goes on: a fresh batch of the new stream is stored, and costs no look at InfluxDB.
        var checks = metrics.ReplayChecks;
        await mqtt.PublishAsync(topic, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, device, "stream-b", "0.1.0", Mercury(2, 3, original[^1].TimestampNs + 60_000_000_000L))));
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) == 9, Patience, "the fresh batch stored");
        Assert.Equal(checks, metrics.ReplayChecks);

        // The report's integrity section shows the refused replays, per device and as a caveat.
        var report = await central.Services.GetRequiredService<MercuryEvidenceReportBuilder>()
            .BuildAsync(Plant.Site, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Contains(report.Integrity.Rejected, x => x.Device == device && x.Reason == "conflicting_replay" && x.Count == 2);
        Assert.Equal(2, report.Integrity.Devices.Single(d => d.Device == device).ConflictingReplays);
        Assert.Contains(report.NotVouchedFor, n => n.Contains(device) && n.Contains("different values"));
    }

    [Fact]
    public async Task A_v2_replay_that_would_change_a_stored_value_is_refused()
    {
        const string device = "hg-replay-v2";
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        await using var mqtt = await RawClient.ConnectAsync(plant);
        var encoder = new WireV2Encoder("stream-v2", "0.1.0");
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddMinutes(-10));
        List<Sample> Mercury(double third) => [.. Enumerable.Range(1, 4).Select(seq =>
            new Sample(seq, t0 + seq * 1_000_000_000L, "mercury_vapour", Equipment, [new Reading("hg", seq == 3 ? third : 0.5, Units.MicrogramPerCubicMetre)]))];
        var topic = Topics.For(Plant.Site, device, TopicKind.Telemetry);

        var first = encoder.Encode(Mercury(0.75), null, out _);
        await mqtt.PublishAsync(Topics.DictionaryFor(Plant.Site, device, encoder.DictionaryId), encoder.DictionaryPayload, retain: true);
        await mqtt.PublishAsync(topic, first);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) == 4, Patience, "the v2 batch stored");
        await mqtt.PublishAsync(topic, encoder.Encode(Mercury(0.05), null, out var changed));
        Assert.False(changed);
        await Eventually.TrueAsync(async () => (await ConflictsAsync(plant, device)).Count == 1, Patience, "the v2 replay refused");
        Assert.Equal(0.75, (await HgAsync(plant, device))[3]);
    }

    /// <summary>Stored hg by seq.</summary>
    private static async Task<Dictionary<long, double>> HgAsync(Plant plant, string device) =>
        (await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT hg, seq FROM mercury_vapour, \"raw\".mercury_vapour WHERE device = '{device}'"))
            .SelectMany(s => s.Rows).ToDictionary(r => Convert.ToInt64(r[2], CultureInfo.InvariantCulture), r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));

    private sealed record Conflict(string Detail, string Offered, string Stored);

    private static async Task<List<Conflict>> ConflictsAsync(Plant plant, string device)
    {
        var series = await plant.Influx.QuerySeriesAsync(Plant.Database,
            $"SELECT detail, offered, stored, payload_b64 FROM rejects WHERE device = '{device}' AND reason = 'conflicting_replay'");
        return series.SelectMany(s => s.Rows).Select(r => new Conflict((string)r[1]!, (string)r[2]!, (string)r[3]!)).ToList();
    }

    /// <summary>A device's MQTT connection without an agent: it publishes exactly the bytes a test gives it.</summary>
    private sealed class RawClient(IMqttClient client) : IAsyncDisposable
    {
        public static async Task<RawClient> ConnectAsync(Plant plant)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
            return new RawClient(client);
        }

        public async Task PublishAsync(string topic, byte[] payload, bool retain = false) =>
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
    }
}
