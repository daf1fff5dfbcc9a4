using System.Globalization;
using System.Text;
using EdgeTelemetry.IntegrationTests.Fuzz;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Core.Tests.Wire;

/// <summary>
/// The transcoder is the hot path beside <see cref="BatchValidator"/>, the reference: whatever it takes must be
/// exactly what the validator accepts, written as the object path writes it; everything else it must decline.
/// </summary>
public class BatchTranscoderTests
{
    private const string Topic = "edgetelemetry/v1/site-a/dev-1/telemetry";
    private static readonly DeviceTopic Device = new("site-a", "dev-1", TopicKind.Telemetry);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowNs = Time.ToUnixNanoseconds(Now);
    private static readonly ValidationLimits Limits = new();
    private static readonly BatchTranscoder Transcoder = new(Limits);

    private static (bool Taken, string Lines, List<long> Seqs) Transcode(byte[] payload, DeviceTopic? device = null, Func<ulong, ChannelDictionary?>? dictionaries = null)
    {
        using var lines = new LineBuffer(64);
        lines.Write("kept\n"u8); // what the buffer held before must survive a decline
        var seqs = new List<long> { -1 };
        var taken = Transcoder.TryWrite(payload, device ?? Device, BatchValidator.LatestNs(Now, Limits), lines, seqs, out _, dictionaries: dictionaries);
        var text = lines.ToString();
        Assert.StartsWith("kept\n", text);
        Assert.Equal(-1, seqs[0]);
        if (!taken)
        {
            Assert.Equal("kept\n", text);
            Assert.Single(seqs);
        }
        return (taken, text["kept\n".Length..], seqs.Skip(1).ToList());
    }

    /// <summary>The reference: validate into objects, then SamplePoints + LineProtocolWriter.</summary>
    private static (ValidatedBatch Result, string Lines) Reference(byte[] payload, string topic = Topic, Func<ulong, ChannelDictionary?>? dictionaries = null)
    {
        var result = BatchValidator.Validate(topic, payload, Now, Limits, dictionaries is null ? null : (_, _, id) => dictionaries(id));
        using var lines = new LineBuffer();
        if (result.Topic is { } t)
            foreach (var s in result.Accepted) LineProtocolWriter.Append(lines, SamplePoints.ToPoint(t.Site, t.Device, s));
        return (result, lines.ToString());
    }

    private static byte[] AgentBatch(int samples) => BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", "s-1", "0.1.0",
        Enumerable.Range(1, samples).Select(i => new Sample(i, NowNs - (samples - i) * 100_000_000L, "centrifuge", "icon-i150-1",
        [
            new Reading("bowl_speed", 400 + i * 0.1, Units.Rpm), new Reading("bowl_g", 60.25, Units.GForce),
            new Reading("fluidisation_pressure", 101.3, Units.KiloPascal), new Reading("motor_current", -0.0, Units.Ampere),
            new Reading("feed_rate", 1e-7, Units.TonnesPerHour), new Reading("pulp_density", 1.7976931348623157e308, Units.PercentSolids),
        ])), NowNs));

    [Fact]
    public void Takes_an_agent_batch_and_writes_the_lines_the_object_path_writes()
    {
        var payload = AgentBatch(200);
        var (taken, lines, seqs) = Transcode(payload);
        Assert.True(taken);
        var (result, reference) = Reference(payload);
        Assert.Empty(result.Rejections);
        Assert.Equal(reference, lines);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs);
    }

    [Theory]
    [InlineData("eviction record (accounting reads it)", """{"seq":1,"t":T,"m":"buffer_eviction","eq":"agent","r":[{"n":"evicted","v":5,"u":"count"}]}""")]
    [InlineData("health report (accounting reads it)", """{"seq":1,"t":T,"m":"agent_health","eq":"agent","r":[{"n":"unreceipted","v":5,"u":"count"}]}""")]
    [InlineData("service-owned measurement", """{"seq":1,"t":T,"m":"rejects","eq":"x","r":[{"n":"a","v":1,"u":"1"}]}""")]
    [InlineData("NaN as a named literal", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_speed","v":"NaN","u":"rpm"}]}""")]
    [InlineData("number out of double range", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_speed","v":1e400,"u":"rpm"}]}""")]
    [InlineData("unit mismatch", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_speed","v":1,"u":"Hz"}]}""")]
    [InlineData("unknown unit", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"extra","v":1,"u":"furlong"}]}""")]
    [InlineData("repeated reading", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"},{"n":"bowl_g","v":2,"u":"G"}]}""")]
    [InlineData("reserved field", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"seq","v":1,"u":"1"}]}""")]
    [InlineData("escaped name", """{"seq":1,"t":T,"m":"centrifug\u0065","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("seq zero", """{"seq":0,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("seq as a fraction", """{"seq":1.0,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("timestamp ahead", """{"seq":1,"t":9000000000000000000,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("missing value", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","u":"G"}]}""")]
    [InlineData("no readings", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","r":[]}""")]
    [InlineData("duplicate member", """{"seq":1,"seq":2,"t":T,"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("unknown member", """{"seq":1,"t":T,"m":"centrifuge","eq":"x","q":1,"r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("equipment with a space", """{"seq":1,"t":T,"m":"centrifuge","eq":"a b","r":[{"n":"bowl_g","v":1,"u":"G"}]}""")]
    [InlineData("null sample", """null""")]
    public void Declines_a_sample_it_cannot_vouch_for(string why, string sample)
    {
        var payload = Encoding.UTF8.GetBytes($$"""{"v":1,"site":"site-a","device":"dev-1","stream":"s-1","samples":[{{sample.Replace("T", NowNs.ToString(CultureInfo.InvariantCulture))}}]}""");
        Assert.False(Transcode(payload).Taken, why);
    }

    [Theory]
    [InlineData("another device", """{"v":1,"site":"site-a","device":"dev-2","stream":"s-1","samples":[S]}""")]
    [InlineData("version 2", """{"v":2,"site":"site-a","device":"dev-1","stream":"s-1","samples":[S]}""")]
    [InlineData("invalid stream", """{"v":1,"site":"site-a","device":"dev-1","stream":"s 1","samples":[S]}""")]
    [InlineData("no stream", """{"v":1,"site":"site-a","device":"dev-1","samples":[S]}""")]
    [InlineData("no samples", """{"v":1,"site":"site-a","device":"dev-1","stream":"s-1","samples":[]}""")]
    [InlineData("trailing data", """{"v":1,"site":"site-a","device":"dev-1","stream":"s-1","samples":[S]} x""")]
    [InlineData("second samples member", """{"v":1,"site":"site-a","device":"dev-1","stream":"s-1","samples":[S],"samples":[]}""")]
    [InlineData("truncated", """{"v":1,"site":"site-a","device":"dev-1","stream":"s-1","samples":[S""")]
    public void Declines_an_envelope_the_validator_rejects(string why, string envelope)
    {
        var sample = $$"""{"seq":1,"t":{{NowNs}},"m":"centrifuge","eq":"x","r":[{"n":"bowl_g","v":1,"u":"G"}]}""";
        Assert.False(Transcode(Encoding.UTF8.GetBytes(envelope.Replace("S", sample))).Taken, why);
    }

    [Fact]
    public void Declines_more_samples_than_the_limit()
    {
        var payload = BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", "s-1", "0.1.0",
            Enumerable.Range(1, Limits.MaxSamplesPerBatch + 1).Select(i => new Sample(i, NowNs, "centrifuge", "x", [new Reading("bowl_g", 1, Units.GForce)]))));
        Assert.False(Transcode(payload).Taken);
    }

    /// <summary>
    /// Differential fuzz: hostile payloads (the fuzz suite's generator) and valid batches written in every legal way
    /// (member order, whitespace, number forms, extra channels). Whatever the transcoder takes, the validator must
    /// accept whole and write to the same bytes; valid batches it must take.
    /// </summary>
    [Fact]
    public void Takes_only_what_the_validator_accepts_and_writes_it_byte_for_byte()
    {
        var hostile = new HostilePayloads(seed: 20261206);
        var random = new Random(20261206);
        int takenValid = 0, valid = 0;
        for (var i = 0; i < 6000; i++)
        {
            var isValid = i % 2 == 0;
            var payload = isValid ? ValidVariant(random) : hostile.Next("site-a", "dev-1", NowNs);
            var (taken, lines, seqs) = Transcode(payload);
            var (result, reference) = Reference(payload);
            if (isValid)
            {
                valid++;
                Assert.Empty(result.Rejections); // the generator writes only valid batches
            }
            if (!taken) continue;
            if (isValid) takenValid++;
            if (result.Rejections.Count > 0) Assert.Fail($"taken, but the validator rejects: {result.Rejections[0]} in {Encoding.UTF8.GetString(payload)[..Math.Min(300, payload.Length)]}");
            Assert.Equal(reference, lines);
            Assert.Equal(result.Accepted.Select(s => s.Seq), seqs);
        }
        // Everything valid except the records accounting reads (about 1 in 10 of the variants) is taken.
        Assert.InRange(takenValid, valid * 8 / 10, valid);
    }

    /// <summary>A v2 encoder's dictionary as the central service keeps it (parsed from the published bytes).</summary>
    private static Func<ulong, ChannelDictionary?> Received(WireV2Encoder encoder)
    {
        var dictionary = ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload);
        var id = encoder.DictionaryId;
        return x => x == id ? dictionary : null;
    }

    [Fact]
    public void Takes_an_agent_v2_batch_and_writes_the_lines_the_object_path_writes()
    {
        var samples = BatchCodec.TryDecode(AgentBatch(200), out _)!.Samples!
            .Select(s => new Sample(s.Seq, s.TimestampNs, s.Measurement!, s.Equipment!, s.Readings!.Select(r => new Reading(r.Name!, r.Value, r.Unit!)).ToArray())).ToList();
        var encoder = new WireV2Encoder("9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b", "0.1.0");
        var payload = encoder.Encode(samples, NowNs, out _);
        var dictionaries = Received(encoder);
        var (taken, lines, seqs) = Transcode(payload, dictionaries: dictionaries);
        Assert.True(taken);
        var (result, reference) = Reference(payload, dictionaries: dictionaries);
        Assert.Empty(result.Rejections);
        Assert.Equal(reference, lines);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs);
        // Without its dictionary (or without dictionaries at all) the batch is the validator's: it defers it.
        Assert.False(Transcode(payload, dictionaries: _ => null).Taken);
        Assert.False(Transcode(payload).Taken);
    }

    /// <summary>
    /// Differential fuzz for wire v2: batches the agent's encoder writes from valid and invalid samples (every
    /// per-sample rejection, the records accounting reads, invalid streams), then corrupted byte by byte. Whatever
    /// the transcoder takes, the validator must accept whole and write to the same bytes; valid batches it must take.
    /// </summary>
    [Fact]
    public void Takes_only_the_v2_batches_the_validator_accepts_and_writes_them_byte_for_byte()
    {
        var random = new Random(20261207);
        int takenValid = 0, valid = 0, takenCorrupt = 0;
        string[] streams = ["9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b", "s-1", "A", "s 1"];
        for (var i = 0; i < 3000; i++)
        {
            var stream = streams[random.Next(streams.Length)];
            var encoder = new WireV2Encoder(stream, "0.1.0");
            var intended = stream != "s 1" && random.Next(3) > 0;
            var samples = V2Samples(random, intended);
            var payload = encoder.Encode(samples, random.Next(4) == 0 ? null : NowNs - random.Next(1_000_000_000), out _);
            if (random.Next(3) == 0)
            {
                payload = (byte[])payload.Clone();
                payload[2 + random.Next(payload.Length - 2)] ^= (byte)(1 << random.Next(8));
                intended = false;
            }
            var dictionaries = Received(encoder);
            var (taken, lines, seqs) = Transcode(payload, dictionaries: dictionaries);
            var (result, reference) = Reference(payload, dictionaries: dictionaries);
            if (intended)
            {
                valid++;
                Assert.Empty(result.Rejections);
            }
            if (!taken) continue;
            if (intended) takenValid++;
            else takenCorrupt++;
            if (result.Rejections.Count > 0) Assert.Fail($"taken, but the validator rejects: {result.Rejections[0]}");
            Assert.Equal(reference, lines);
            Assert.Equal(result.Accepted.Select(s => s.Seq), seqs);
        }
        // Everything valid except the records accounting reads is taken.
        Assert.InRange(takenValid, valid * 8 / 10, valid);
        Assert.True(takenCorrupt > 0, "some corrupted batches still decode to valid samples (a changed value): the transcoder takes those too");
    }

    /// <summary>Samples as the agent would buffer them; unless <paramref name="valid"/>, one of them is something the validator refuses.</summary>
    private static List<Sample> V2Samples(Random random, bool valid)
    {
        var measurement = random.Next(10) == 0 ? "agent_health" : ReadingKinds[random.Next(ReadingKinds.Length)].M;
        var samples = new List<Sample>();
        var seq = 1L + random.Next(1000);
        var t = NowNs - 10_000_000_000L;
        for (var s = 0; s < 1 + random.Next(40); s++)
        {
            var m = random.Next(4) == 0 ? ReadingKinds[random.Next(ReadingKinds.Length)].M : measurement;
            var readings = ReadingKinds.Where(k => k.M == m).Where(_ => random.Next(3) > 0)
                .Select(k => new Reading(k.N, random.Next(20) == 0 ? random.NextDouble() * 1e300 : Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 12)), random.Next(0, 12)), k.U))
                .DefaultIfEmpty(new Reading("other", 1, "count")).ToArray();
            samples.Add(new Sample(seq, t, m, new[] { "icon-i150-1", "A.b_c-9", "7" }[random.Next(3)], readings));
            seq += random.Next(5) == 0 ? 1 + random.Next(3) : 1;
            t += random.Next(5) == 0 ? random.Next(-1_000_000, 300_000_000) : 100_000_000;
        }
        if (!valid)
        {
            var i = random.Next(samples.Count);
            var x = samples[i];
            samples[i] = random.Next(8) switch
            {
                0 => x with { Seq = 0 },
                1 => x with { TimestampNs = NowNs + 2 * 3_600_000_000_000L },
                2 => x with { Measurement = "rejects" },
                3 => x with { Equipment = "a b" },
                4 => x with { Readings = [.. x.Readings, new Reading("seq", 1, "count")] },
                5 => x with { Readings = [new Reading("bowl_speed", double.NaN, "rpm")], Measurement = "centrifuge" },
                6 => x with { Readings = [new Reading("bowl_speed", 1, "Hz")], Measurement = "centrifuge" },
                _ => x with { Readings = [new Reading("a", 1, "count"), new Reading("a", 2, "count")] },
            };
        }
        return samples;
    }

    private static readonly (string M, string N, string U)[] ReadingKinds =
    [
        ("centrifuge", "bowl_speed", "rpm"), ("centrifuge", "bowl_g", "G"), ("centrifuge", "motor_current", "A"),
        ("centrifuge", "vibration", "g"), ("centrifuge", "pulp_density", "%solids"), ("mercury_vapour", "hg", "ug/m3"),
        ("mercury_vapour", "hg_raw", "ng/m3"), ("environment", "temperature", "degC"), ("alarm", "active", "1"),
    ];

    private static byte[] ValidVariant(Random random)
    {
        string Ws() => random.Next(4) == 0 ? new[] { " ", "\n", "\t", "\r\n  " }[random.Next(4)] : "";
        string Number(double v) => random.Next(4) switch
        {
            0 => v.ToString("R", CultureInfo.InvariantCulture),
            1 => v.ToString("E10", CultureInfo.InvariantCulture),
            2 => v.ToString("F6", CultureInfo.InvariantCulture),
            _ => v.ToString("G17", CultureInfo.InvariantCulture),
        };
        string Obj(IEnumerable<string> members) => "{" + Ws() + string.Join("," + Ws(), members.OrderBy(_ => random.Next())) + Ws() + "}";
        var measurement = random.Next(10) == 0 ? "agent_health" : ReadingKinds[random.Next(ReadingKinds.Length)].M;
        var samples = new List<string>();
        for (var s = 0; s < 1 + random.Next(30); s++)
        {
            var readings = ReadingKinds.Where(k => k.M == measurement || (measurement is "agent_health" && k.M == "alarm"))
                .Where(_ => random.Next(3) > 0).DefaultIfEmpty((M: "", N: "other", U: "count"))
                .Select(k => Obj([$"\"n\":\"{k.N}\"", $"\"v\":{Number(Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 12)), random.Next(0, 12)))}", $"\"u\":\"{k.U}\""]));
            samples.Add(Obj([$"\"seq\":{s * 3 + 1 + random.Next(2)}", $"\"t\":{NowNs - random.Next(1_000_000_000)}", $"\"m\":\"{measurement}\"",
                $"\"eq\":\"{new[] { "icon-i150-1", "A.b_c-9", "7" }[random.Next(3)]}\"", "\"r\":[" + Ws() + string.Join(",", readings) + "]"]));
        }
        var envelope = new List<string> { "\"v\":1", "\"site\":\"site-a\"", "\"device\":\"dev-1\"", $"\"stream\":\"{new[] { "s-1", "A", "0000-ffff" }[random.Next(3)]}\"",
            "\"samples\":[" + string.Join("," + Ws(), samples) + "]" };
        if (random.Next(2) == 0) envelope.Add("\"agent\":\"0.1.0 é\"");
        if (random.Next(2) == 0) envelope.Add($"\"sent\":{NowNs}");
        return Encoding.UTF8.GetBytes(Ws() + Obj(envelope) + Ws());
    }
}
