using System.IO.Compression;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Google.Protobuf;

namespace EdgeTelemetry.Core.Tests.Wire;

/// <summary>
/// Wire v2 carries exactly what the agent recorded (bit for bit, values and times) and its decoder turns
/// any payload into either that or a rejection with a reason — never an exception, never an unbounded allocation.
/// </summary>
public class WireV2Tests
{
    private const string Stream = "9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b";
    private const int MaxSamples = 1_000;
    private const int MaxDecoded = 1 << 20;
    private static readonly long T0 = Time.ToUnixNanoseconds(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private static TelemetryBatch? Decode(byte[] payload, WireV2Encoder encoder, out Rejection? error) =>
        WireV2.TryDecode(payload, "site-a", "dev-1", id => id == encoder.DictionaryId ? ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload) : null,
            MaxSamples, MaxDecoded, out error);

    /// <summary>A day of a station: centrifuge (2 channels), pressure (2), flow (1), environment every 10th second.</summary>
    private static List<Sample> Station(int seconds, long firstSeq = 1, int seed = 1)
    {
        var rnd = new Random(seed);
        var samples = new List<Sample>();
        var seq = firstSeq;
        for (var s = 0; s < seconds; s++)
        {
            var t = T0 + s * 1_000_000_000L + rnd.Next(0, 3_000_000);
            samples.Add(new(seq++, t, "centrifuge", "knelson-md30-1", [new("bowl_speed", Math.Round(400 + rnd.NextDouble() * 10, 2), "rpm"), new("bowl_g", Math.Round(68 + rnd.NextDouble(), 3), "G")]));
            samples.Add(new(seq++, t + 1_000, "centrifuge", "knelson-md30-1", [new("fluidisation_pressure", Math.Round(100 + rnd.NextDouble() * 20, 4), "kPa"), new("feed_rate", Math.Round(rnd.NextDouble() * 2, 4), "t/h")]));
            samples.Add(new(seq++, t + 2_000, "centrifuge", "knelson-md30-1", [new("fluidisation_flow", Math.Round(80 + rnd.NextDouble() * 20, 3), "L/min")]));
            if (s % 10 == 0)
                samples.Add(new(seq++, t + 3_000, "environment", "knelson-md30-1", [new("temperature", Math.Round(26 + rnd.NextDouble(), 2), "degC"), new("humidity", Math.Round(80 + rnd.NextDouble() * 5, 1), "%RH")]));
        }
        return samples;
    }

    private static void AssertSame(IReadOnlyList<Sample> expected, TelemetryBatch? decoded, string stream = Stream, long? sentNs = null)
    {
        Assert.NotNull(decoded);
        Assert.Equal(("site-a", "dev-1", stream, "0.1.0", sentNs), (decoded.Site, decoded.Device, decoded.Stream, decoded.AgentVersion, decoded.SentNs));
        Assert.Equal(expected.Count, decoded.Samples!.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, d) = (expected[i], decoded.Samples[i]);
            Assert.Equal((e.Seq, e.TimestampNs, e.Measurement, e.Equipment), (d.Seq, d.TimestampNs, d.Measurement, d.Equipment));
            Assert.Equal(e.Readings.Count, d.Readings!.Count);
            for (var r = 0; r < e.Readings.Count; r++)
            {
                Assert.Equal((e.Readings[r].Name, e.Readings[r].Unit), (d.Readings[r].Name, d.Readings[r].Unit));
                // Bit for bit: -0.0, NaN payloads and every last digit.
                Assert.Equal(BitConverter.DoubleToInt64Bits(e.Readings[r].Value), BitConverter.DoubleToInt64Bits(d.Readings[r].Value));
            }
        }
    }

    [Fact]
    public void A_backlog_batch_round_trips_exactly_and_is_compressed()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        var samples = Station(60);
        var payload = encoder.Encode(samples, T0 + 61_000_000_000L, out var changed);
        Assert.True(changed);
        Assert.Equal(WireV2.VersionByte, payload[0]);
        Assert.Equal(WireV2.FlagBrotli, payload[1]);
        // The sending time travels in whole milliseconds after the first sample (it is only compared with clocks).
        var first = samples[0].TimestampNs;
        AssertSame(samples, Decode(payload, encoder, out var error), sentNs: first + (T0 + 61_000_000_000L - first) / 1_000_000 * 1_000_000);
        Assert.Null(error);
        var readings = samples.Sum(s => s.Readings.Count);
        var v1 = BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", Stream, "0.1.0", samples, T0)).Length;
        Assert.True(payload.Length * 5 < v1, $"v2 {payload.Length} B against v1 {v1} B for {readings} readings");
    }

    [Fact]
    public void Values_that_are_not_short_decimals_travel_as_exact_doubles()
    {
        double[] awkward = [Math.PI, -0.0, 1e-12, 1.7976931348623157e308, double.Epsilon, 0.1 + 0.2, 123456789.123456789, -5e15, double.NaN, double.PositiveInfinity, 9.007199254740993e15];
        var samples = awkward.Select((v, i) => new Sample(100 + i, T0 + i, "centrifuge", "cf-1", [new("bowl_speed", v, "rpm"), new("bowl_g", i, "G")])).ToList();
        var encoder = new WireV2Encoder("not-hex-stream", "0.1.0");
        var payload = encoder.Encode(samples, null, out _);
        AssertSame(samples, Decode(payload, encoder, out _), "not-hex-stream");
    }

    [Fact]
    public void Gaps_in_seq_time_going_backwards_and_a_reading_set_that_changes_round_trip()
    {
        var samples = new List<Sample>
        {
            new(5, T0, "centrifuge", "cf-1", [new("bowl_speed", 400, "rpm")]),
            new(9, T0 - 5_000_000_000, "centrifuge", "cf-1", [new("bowl_speed", 401.5, "rpm")]),
            new(10, T0 + 1, "centrifuge", "cf-1", [new("bowl_speed", 399.25, "rpm"), new("bowl_g", 60, "G")]),
            new(3, T0 + 2, "centrifuge", "cf-2", [new("bowl_speed", -1, "rpm")]),
        };
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        AssertSame(samples, Decode(encoder.Encode(samples, null, out _), encoder, out _));
    }

    [Fact]
    public void The_dictionary_grows_without_changing_earlier_series_and_its_id_is_its_content()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        var first = Station(1)[..3];
        encoder.Encode(first, null, out var changed);
        Assert.True(changed);
        var firstId = encoder.DictionaryId;
        var firstDictionary = ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload);
        encoder.Encode(first, null, out changed);
        Assert.False(changed);
        Assert.Equal(firstId, encoder.DictionaryId);

        var later = encoder.Encode(Station(1), null, out changed); // adds the environment series
        Assert.True(changed);
        Assert.NotEqual(firstId, encoder.DictionaryId);
        var grown = ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload);
        Assert.Equal(firstDictionary.Series, grown.Series.Take(firstDictionary.Series.Count));
        Assert.NotNull(WireV2.TryParseDictionary(encoder.DictionaryPayload, encoder.DictionaryId, 100, out var error));
        Assert.Null(WireV2.TryParseDictionary(encoder.DictionaryPayload, firstId, 100, out error));
        Assert.Contains("hashes to", error);
        Assert.True(WireV2.TryParseTopicId(WireV2.TopicId(encoder.DictionaryId), out var parsed) && parsed == encoder.DictionaryId);
        Assert.False(WireV2.TryParseTopicId(WireV2.TopicId(encoder.DictionaryId).ToUpperInvariant(), out _));
        Assert.NotNull(Decode(later, encoder, out _));
    }

    [Fact]
    public void A_batch_naming_a_dictionary_the_receiver_lacks_is_refused_with_that_reason()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        var payload = encoder.Encode(Station(2), null, out _);
        Assert.Null(WireV2.TryDecode(payload, "site-a", "dev-1", _ => null, MaxSamples, MaxDecoded, out var error));
        Assert.Equal(RejectReason.UnknownDictionary, error!.Reason);
        Assert.Contains(WireV2.TopicId(encoder.DictionaryId), error.Detail);

        // Its seqs and dictionary can still be read, for the receipt that asks for the dictionary again.
        var gapped = Station(2).Where(s => s.Seq != 3).ToList();
        Assert.True(WireV2.TryReadSeqs(encoder.Encode(gapped, null, out _), MaxSamples, MaxDecoded, out var id, out var seqs));
        Assert.Equal(encoder.DictionaryId, id);
        Assert.Equal(gapped.Select(s => s.Seq), seqs);
        Assert.False(WireV2.TryReadSeqs(payload[..^3], MaxSamples, MaxDecoded, out _, out _));
    }

    [Fact]
    public void A_resumed_encoder_names_the_same_dictionary_and_grows_it_as_the_first_would_have()
    {
        var first = new WireV2Encoder(Stream, "0.1.0");
        first.Encode(Station(1)[..3], null, out _);
        var kept = first.DictionaryPayload;

        var resumed = WireV2Encoder.Resume(kept, Stream, "0.1.0");
        Assert.Equal(first.DictionaryId, resumed.DictionaryId);
        resumed.Encode(Station(1)[..3], null, out var changed);
        Assert.False(changed);
        var payload = resumed.Encode(Station(1), null, out changed); // adds the environment series
        first.Encode(Station(1), null, out _);
        Assert.True(changed);
        Assert.Equal(first.DictionaryId, resumed.DictionaryId);
        AssertSame(Station(1), Decode(payload, resumed, out _));

        // Another stream or agent version, or bytes that are not a dictionary: a fresh dictionary.
        Assert.Equal(0UL, WireV2Encoder.Resume(kept, "0123456789abcdef0123456789abcdef", "0.1.0").DictionaryId);
        Assert.Equal(0UL, WireV2Encoder.Resume(kept, Stream, "0.2.0").DictionaryId);
        Assert.Equal(0UL, WireV2Encoder.Resume([0xff, 0xff], Stream, "0.1.0").DictionaryId);
    }

    [Fact]
    public void A_decompression_bomb_is_refused_at_the_size_limit()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        encoder.Encode(Station(1), null, out _);
        var bomb = new byte[64 << 20]; // 64 MiB of zeros: a valid protobuf prefix would never end
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(bomb.Length)];
        Assert.True(BrotliEncoder.TryCompress(bomb, compressed, out var n, 11, 24));
        var payload = new byte[] { WireV2.VersionByte, WireV2.FlagBrotli }.Concat(compressed[..n]).ToArray();
        Assert.True(payload.Length < 100_000, $"{payload.Length} B");
        Assert.Null(Decode(payload, encoder, out var error));
        Assert.Equal(RejectReason.Oversized, error!.Reason);
    }

    [Fact]
    public void Huge_counts_and_out_of_range_indexes_are_refused_before_any_allocation_follows_them()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        encoder.Encode(Station(1), null, out _);
        Batch Valid() => new() { Dictionary = encoder.DictionaryId, FirstSeq = 1, FirstTime = T0 };
        byte[] Frame(Batch b) => [WireV2.VersionByte, WireV2.FlagRaw, .. b.ToByteArray()];

        var tooMany = Valid();
        tooMany.Series.AddRange(Enumerable.Repeat(0u, MaxSamples + 1));
        tooMany.TimeDeltas.AddRange(Enumerable.Repeat(0L, MaxSamples));
        Assert.Equal(RejectReason.Oversized, Reason(Frame(tooMany)));

        var badSeries = Valid();
        badSeries.Series.Add(99);
        Assert.Equal(RejectReason.MalformedPayload, Reason(Frame(badSeries)));

        var missingValues = Valid();
        missingValues.Series.Add(0);
        missingValues.Decimals.AddRange([0, 0]);
        missingValues.Values.Add(1); // the series has two channels
        Assert.Equal(RejectReason.MalformedPayload, Reason(Frame(missingValues)));

        var overflow = Valid();
        overflow.Series.AddRange([0, 0]);
        overflow.TimeDeltas.Add(long.MaxValue);
        overflow.Decimals.AddRange([0, 0]);
        overflow.Values.AddRange([1, 1, 1, 1]);
        Assert.Equal(RejectReason.MalformedPayload, Reason(Frame(overflow)));

        var scale = Valid();
        scale.Series.Add(0);
        scale.Decimals.AddRange([0, 40]);
        scale.Values.AddRange([1, 1]);
        Assert.Equal(RejectReason.MalformedPayload, Reason(Frame(scale)));

        Assert.Equal(RejectReason.MalformedPayload, Reason([WireV2.VersionByte, 7, 1, 2]));
        Assert.Equal(RejectReason.EmptyBatch, Reason(Frame(Valid())));

        RejectReason Reason(byte[] payload)
        {
            Assert.Null(Decode(payload, encoder, out var error));
            return error!.Reason;
        }
    }

    [Fact]
    public void Every_truncation_and_single_byte_corruption_of_a_batch_decodes_or_is_refused_never_throws()
    {
        var encoder = new WireV2Encoder(Stream, "0.1.0");
        var samples = Station(20);
        foreach (var payload in new[] { encoder.Encode(samples, T0, out _), encoder.Encode(samples[..3], T0, out _) })
        {
            for (var length = 0; length < payload.Length; length++)
            {
                var decoded = Decode(payload[..length], encoder, out var error);
                Assert.True(decoded is null == error is not null);
            }
            var rnd = new Random(7);
            for (var i = 0; i < 3_000; i++)
            {
                var corrupt = (byte[])payload.Clone();
                corrupt[rnd.Next(corrupt.Length)] ^= (byte)rnd.Next(1, 256);
                var decoded = Decode(corrupt, encoder, out var error);
                Assert.True(decoded is null == error is not null);
            }
        }
    }
}
