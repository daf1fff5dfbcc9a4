using System.Buffers;
using System.Globalization;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// The agent speaks wire v2 when the central service announces it: through real Mosquitto (topic aliases
/// included) into influxd, value for value, and a central service that lacks the dictionary gets it again.
/// </summary>
public class AgentWireV2Tests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_agent_sends_v2_with_topic_aliases_and_every_value_is_stored_exactly_as_it_was_recorded()
    {
        await using var plant = await Plant.StartAsync();
        plant.Own(await plant.StartCentralAsync());
        const string device = "v2-agent";
        var firstBytes = new List<byte>();
        using var watcher = await WatchAsync(plant, Topics.For(Plant.Site, device, TopicKind.Telemetry), p => { lock (firstBytes) firstBytes.Add(p[0]); });

        var agent = await plant.StartAgentFromAsync(plant.AgentConfigWith(device, """
            sensors:
              - driver: simulated
                profile: centrifuge
                equipment: knelson-1
                intervalMs: 50
              - driver: simulated
                profile: mercury_vapour
                equipment: smelting-area
                intervalMs: 70
            """));
        var stats = agent.Services.GetRequiredService<PublisherStats>();
        try
        {
            await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 200, Patience, "200 samples stored");
        }
        finally
        {
            await agent.StopAsync(); // drains what it still holds
            agent.Dispose();
        }
        var sampled = (await Plant.ReadBufferFileAsync(plant.BufferPath(device))).MaxSeq;
        await Eventually.TrueAsync(async () => (await plant.StoredSeqsAsync(device)).Distinct().Count() == sampled, Patience, $"all {sampled} samples stored");

        lock (firstBytes)
        {
            Assert.NotEmpty(firstBytes);
            Assert.All(firstBytes, b => Assert.Equal(WireV2.VersionByte, b));
        }
        Assert.True(stats.AliasedBatches > 0, "batches after the first on each topic carry only the topic alias");
        Assert.True(stats.DictionariesSent >= 1);

        // Every reading the buffer recorded is in InfluxDB with the same double, bit for bit.
        await using var buffer = await Agent.Buffer.SampleBuffer.OpenAsync(plant.BufferPath(device));
        var recorded = await buffer.ReadAfterAsync(0, 100_000);
        var stored = new Dictionary<(string Measurement, long Seq, string Field), double>();
        foreach (var series in await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT * FROM /.*/, \"raw\"./.*/ WHERE device = '{device}'"))
        {
            var seq = series.Columns.ToList().IndexOf("seq");
            foreach (var row in series.Rows)
                for (var c = 1; c < row.Count; c++)
                    if (row[c] is double or long && c != seq)
                        stored[(series.Name, Convert.ToInt64(row[seq], CultureInfo.InvariantCulture), series.Columns[c])] = Convert.ToDouble(row[c], CultureInfo.InvariantCulture);
        }
        var compared = 0;
        foreach (var sample in recorded.Where(s => s.Measurement is "centrifuge" or "mercury_vapour"))
            foreach (var r in sample.Readings)
            {
                Assert.True(stored.TryGetValue((sample.Measurement, sample.Seq, r.Name), out var value), $"{sample.Measurement} seq {sample.Seq} {r.Name} not stored");
                Assert.True(BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(r.Value), $"seq {sample.Seq} {r.Name}: stored {value:R}, recorded {r.Value:R}");
                compared++;
            }
        output.WriteLine($"{compared} readings compared; {firstBytes.Count} v2 batches, {stats.AliasedBatches} by alias, {stats.DictionariesSent} dictionaries sent");
        Assert.True(compared >= 200);
    }

    [Fact]
    public async Task A_central_service_that_lacks_the_dictionary_says_so_and_the_agent_sends_it_and_the_deferred_samples_again_at_once()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        const string device = "v2-defer";
        // A receipt timeout far beyond the test: only the deferral receipt can bring the samples back.
        using var agent = await plant.StartAgentFromAsync(plant.AgentConfig(device), "--publish:receiptTimeoutSeconds=600");
        var stats = agent.Services.GetRequiredService<PublisherStats>();
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 20, Patience, "20 samples stored");

        // The broker loses the retained dictionary and the central service restarts: it no longer has it.
        await central.StopAsync();
        await central.DisposeAsync();
        var dictionaryTopic = Topics.DictionaryFor(Plant.Site, device, WireV2.TryParseTopicId(await KeptDictionaryIdAsync(agent), out var id) ? id : 0);
        using (var raw = await ConnectAsync(plant))
            await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(dictionaryTopic).WithPayload(Array.Empty<byte>()).WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var sentBefore = stats.DictionariesSent;
        central = await plant.StartCentralAsync();
        plant.Own(central);

        var stopAt = (await Agent.Buffer.SampleBuffer.PeekAsync(plant.BufferPath(device))).MaxSeq + 40;
        await Eventually.TrueAsync(async () => (await plant.StoredSeqsAsync(device)).Where(s => s <= stopAt).Distinct().Count() == stopAt, Patience,
            $"seqs 1..{stopAt} stored", async () => $"{(await plant.StoredSeqsAsync(device)).Distinct().Count()} stored, {stats.ResentDeferred} re-sent on deferral");
        Assert.True(stats.ResentDeferred > 0, "the deferral receipt brought the samples back");
        Assert.True(stats.DictionariesSent > sentBefore, "the dictionary was published again");
        Assert.Equal(0, stats.ResentOverdue);
        output.WriteLine($"re-sent on deferral {stats.ResentDeferred}, dictionaries sent {stats.DictionariesSent}");
    }

    private static async Task<string> KeptDictionaryIdAsync(IHost agent)
    {
        var kept = await Plant.BufferOf(agent).GetMetaAsync("wire_v2_dictionary") ?? throw new InvalidOperationException("the agent kept no dictionary");
        return WireV2.TopicId(WireV2.IdOf(ChannelDictionary.Parser.ParseFrom(Convert.FromBase64String(kept))));
    }

    private static async Task<IMqttClient> ConnectAsync(Plant plant)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        return client;
    }

    private static async Task<IMqttClient> WatchAsync(Plant plant, string topic, Action<byte[]> onPayload)
    {
        var client = await ConnectAsync(plant);
        client.ApplicationMessageReceivedAsync += e => { onPayload(e.ApplicationMessage.Payload.ToArray()); return Task.CompletedTask; };
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return client;
    }
}
