using System.Globalization;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>Wire v2 through real Mosquitto and influxd: stored value for value, and decodable after the central service restarts.</summary>
public class WireV2IngestTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Device = "v2-1";

    [Fact]
    public async Task A_v2_batch_is_stored_exactly_and_a_restarted_central_service_decodes_with_the_retained_dictionary()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        var encoder = new WireV2Encoder("9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b", "0.1.0");
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddMinutes(-5));
        double[] awkward = [Math.PI, 0.1 + 0.2, -0.0, 1e-9, 123456.789, 401.25];
        List<Sample> Samples(int from, int count) => [.. Enumerable.Range(from, count).Select(seq =>
            new Sample(seq, t0 + seq * 1_000_000_000L + seq * 7, "centrifuge", "icon-1",
                [new Reading("bowl_speed", seq % 3 == 0 ? awkward[seq % awkward.Length] : Math.Round(400 + seq / 7.0, 2), Units.Rpm)]))];

        using var raw = new MqttClientFactory().CreateMqttClient();
        await raw.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        async Task PublishAsync(string topic, byte[] payload, bool retain = false) =>
            await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                .WithContentType(WireV2.ContentType).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var first = Samples(1, 50);
        var batch = encoder.Encode(first, t0 + 60_000_000_000L, out var changed);
        Assert.True(changed);
        await PublishAsync(Topics.DictionaryFor(Plant.Site, Device, encoder.DictionaryId), encoder.DictionaryPayload, retain: true);
        await PublishAsync(Topics.For(Plant.Site, Device, TopicKind.Telemetry), batch);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(Device) == 50, Patience, "50 v2 samples stored");

        // Raw samples live in the "raw" retention policy (docs/data-model.md).
        var stored = (await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT bowl_speed, seq FROM \"raw\".centrifuge WHERE device = '{Device}'"))
            .Single().Rows.ToDictionary(r => Convert.ToInt64(r[2], CultureInfo.InvariantCulture), r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        foreach (var s in first)
            Assert.True(stored[s.Seq] == s.Readings[0].Value, $"seq {s.Seq}: stored {stored[s.Seq]:R}, sent {s.Readings[0].Value:R}");

        // A new instance gets the dictionary from the broker (retained), not from the one that stopped.
        await central.StopAsync();
        await central.DisposeAsync();
        central = await plant.StartCentralAsync();
        plant.Own(central);
        await PublishAsync(Topics.For(Plant.Site, Device, TopicKind.Telemetry), encoder.Encode(Samples(51, 10), null, out changed));
        Assert.False(changed);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(Device) == 60, Patience, "10 more stored after the restart",
            async () => $"{await plant.StoredCountAsync(Device)} stored");
    }
}
