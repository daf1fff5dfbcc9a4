using System.IO.Compression;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests.Fuzz;

/// <summary>
/// Hostile wire-v2 payloads through real Mosquitto into the central service, beside a valid v2 stream:
/// each is dead-lettered with a reason, stored (when the damage left it valid), or deferred (when it now
/// names a dictionary nobody sent) — never a crash, a stall or a lost valid sample. Each hostile
/// message is its own device (fz2-N) with its own valid dictionary, so its outcome is read back one by one.
/// </summary>
public sealed class WireV2FuzzTests(ITestOutputHelper output)
{
    private const int Payloads = 1_500;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Hostile_v2_payloads_are_each_dead_lettered_stored_or_deferred_and_the_valid_v2_stream_is_stored_exactly()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync("--Logging:LogLevel:EdgeTelemetry.Central.Ingest.MessageIngest=Error");
        plant.Own(central);
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        async Task PublishAsync(string topic, byte[] payload, bool retain = false)
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, $"broker refused a publish on {topic}: {result.ReasonCode}");
        }

        var rnd = new Random(20261206);
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddMinutes(-10));
        List<Sample> Samples(long from, int count) => [.. Enumerable.Range(0, count).Select(i => from + i).Select(seq => new Sample(seq, t0 + seq * 100_000_000L,
            "centrifuge", "icon-1", [new Reading("bowl_speed", Math.Round(400 + rnd.NextDouble() * 10, 2), Units.Rpm), new Reading("bowl_g", rnd.NextDouble() * 70, Units.GForce)]))];

        var valid = new WireV2Encoder("valid-stream", "0.1.0");
        long validSeq = 1;
        var kinds = new Dictionary<string, int>();
        for (var i = 0; i < Payloads; i++)
        {
            var device = $"fz2-{i}";
            var encoder = new WireV2Encoder($"s-{i}", "0.1.0");
            var batch = encoder.Encode(Samples(1, rnd.Next(1, 40)), t0, out _);
            await PublishAsync(Topics.DictionaryFor(Plant.Site, device, encoder.DictionaryId), encoder.DictionaryPayload, retain: true);
            var (kind, hostile) = Damage(batch, encoder.DictionaryId, rnd);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            await PublishAsync(Topics.For(Plant.Site, device, TopicKind.Telemetry), hostile);
            if (i % 10 == 0)
            {
                var samples = Samples(validSeq, 5);
                validSeq += 5;
                var payload = valid.Encode(samples, null, out var changed);
                if (changed) await PublishAsync(Topics.DictionaryFor(Plant.Site, "v2-valid", valid.DictionaryId), valid.DictionaryPayload, retain: true);
                await PublishAsync(Topics.For(Plant.Site, "v2-valid", TopicKind.Telemetry), payload);
            }
        }
        output.WriteLine($"published {Payloads} hostile v2 payloads: {string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"))}");

        var metrics = central.Services.GetRequiredService<IngestMetrics>();
        HashSet<string> answered = [];
        await Eventually.TrueAsync(async () =>
        {
            answered = await FuzzTests.DevicesWithAnOutcomeAsync(plant, "fz2-");
            return answered.Count + metrics.DeferredCount >= Payloads;
        }, Patience, $"an outcome for each of {Payloads} hostile v2 messages",
            () => Task.FromResult($"{answered.Count} answered, {metrics.DeferredCount} deferred"));
        output.WriteLine($"{answered.Count} dead-lettered or stored, {metrics.DeferredCount} deferred; rejects by reason:\n{metrics.ToPrometheusText().Split('\n').Where(l => l.StartsWith("edgetelemetry_rejected_total{")).Aggregate("", (a, l) => a + "  " + l + "\n")}");
        Assert.Equal(Payloads, answered.Count + metrics.DeferredCount);
        Assert.Equal(0, metrics.Rejected("internal_error"));
        Assert.True(metrics.Rejected("malformed_payload") > 0, "no damage was caught as malformed_payload");

        List<long> seqs = [];
        await Eventually.TrueAsync(async () => (seqs = await plant.StoredSeqsAsync("v2-valid")).Count >= validSeq - 1, Patience,
            $"the valid v2 stream's {validSeq - 1} samples stored", () => Task.FromResult($"{seqs.Count} stored"));
        Assert.Equal(Enumerable.Range(1, (int)validSeq - 1).Select(i => (long)i), seqs.Order());
    }

    /// <summary>One kind of damage to a valid v2 batch.</summary>
    private static (string Kind, byte[] Payload) Damage(byte[] batch, ulong dictionary, Random rnd)
    {
        var pick = rnd.Next(100);
        if (pick < 30)
        {
            var b = (byte[])batch.Clone();
            for (var n = rnd.Next(1, 4); n > 0; n--) b[rnd.Next(b.Length)] ^= (byte)rnd.Next(1, 256);
            return ("bit_flip", b);
        }
        if (pick < 50) return ("truncated", batch[..rnd.Next(1, batch.Length)]);
        if (pick < 58) { var b = new byte[rnd.Next(2, 600)]; rnd.NextBytes(b); b[0] = WireV2.VersionByte; return ("random_body", b); }
        if (pick < 63) return ("unknown_flags", [WireV2.VersionByte, (byte)rnd.Next(2, 256), .. batch[2..]]);
        if (pick < 68)
        {
            var zeros = new byte[8 << 20]; // 8 MiB of zeros in a few KB: beyond the decoded-size limit
            var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(zeros.Length)];
            BrotliEncoder.TryCompress(zeros, compressed, out var n, 11, 24);
            return ("brotli_bomb", [WireV2.VersionByte, WireV2.FlagBrotli, .. compressed[..n]]);
        }
        var message = new Batch { Dictionary = dictionary, FirstSeq = 1, FirstTime = 1_700_000_000_000_000_000 };
        switch (pick)
        {
            case < 74: // more samples than the limit, in a few bytes
                message.Series.AddRange(Enumerable.Repeat(0u, 6_000));
                message.TimeDeltas.AddRange(Enumerable.Repeat(0L, 5_999));
                return ("huge_count", Frame(message));
            case < 80:
                message.Series.Add((uint)rnd.Next(1, 1000));
                return ("series_out_of_range", Frame(message));
            case < 86:
                message.Series.AddRange([0, 0]);
                message.TimeDeltas.Add(long.MaxValue);
                message.Decimals.AddRange([0, 0]);
                message.Values.AddRange([1, 1, 1, 1]);
                return ("time_overflow", Frame(message));
            case < 92:
                message.Series.Add(0);
                message.Decimals.AddRange([0, 0]);
                message.Values.Add(1);
                return ("values_missing", Frame(message));
            default:
                message.Dictionary = (ulong)rnd.NextInt64();
                message.Series.Add(0);
                message.Decimals.AddRange([0, 0]);
                message.Values.AddRange([1, 1]);
                return ("unknown_dictionary", Frame(message));
        }
    }

    private static byte[] Frame(Batch message) => [WireV2.VersionByte, WireV2.FlagRaw, .. message.ToByteArray()];
}
