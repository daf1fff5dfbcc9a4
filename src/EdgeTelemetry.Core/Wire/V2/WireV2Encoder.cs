using System.IO.Compression;
using Google.Protobuf;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Wire.V2;

/// <summary>
/// The agent's side of wire v2: keeps the device's dictionary (a series is added the first time a sample of
/// that shape is sent; nothing is ever removed, so an id stays valid for every batch encoded with it) and
/// encodes batches against it. Not thread-safe: one publisher owns it.
/// </summary>
public sealed class WireV2Encoder
{
    private readonly ChannelDictionary _dictionary = new();
    private readonly Dictionary<string, uint> _series = new(StringComparer.Ordinal);
    private byte[]? _dictionaryPayload;

    /// <summary>An encoder for one buffer's stream; the stream and the agent's version travel in the dictionary.</summary>
    public WireV2Encoder(string stream, string agentVersion)
    {
        if (IsHex32(stream)) _dictionary.StreamHex = ByteString.CopyFrom(Convert.FromHexString(stream));
        else _dictionary.Stream = stream;
        _dictionary.Agent = agentVersion;
    }

    /// <summary>
    /// An encoder that goes on with the dictionary an earlier run kept (<see cref="DictionaryPayload"/>), so a restart
    /// names the same dictionary instead of leaving another retained one behind. A fresh encoder when the kept one
    /// does not parse or was for another stream or agent version.
    /// </summary>
    public static WireV2Encoder Resume(ReadOnlySpan<byte> kept, string stream, string agentVersion)
    {
        var encoder = new WireV2Encoder(stream, agentVersion);
        ChannelDictionary dictionary;
        try { dictionary = ChannelDictionary.Parser.ParseFrom(kept); }
        catch (InvalidProtocolBufferException) { return encoder; }
        if (!dictionary.Stream.Equals(encoder._dictionary.Stream) || dictionary.StreamHex != encoder._dictionary.StreamHex
            || dictionary.Agent != agentVersion || dictionary.Series.Count == 0) return encoder;
        foreach (var series in dictionary.Series)
        {
            encoder._series.TryAdd(SeriesKey(series.Measurement, series.Equipment, series.Channels.Select(c => (c.Name, c.Unit))), (uint)encoder._dictionary.Series.Count);
            encoder._dictionary.Series.Add(series);
        }
        encoder.DictionaryId = WireV2.IdOf(encoder._dictionary);
        return encoder;
    }

    /// <summary>The id of the dictionary the last <see cref="Encode"/> referred to.</summary>
    public ulong DictionaryId { get; private set; }

    /// <summary>The dictionary as published (retained, on …/dictionary/{id}).</summary>
    public byte[] DictionaryPayload => _dictionaryPayload ??= _dictionary.ToByteArray();

    /// <summary>
    /// Encodes <paramref name="samples"/>; <paramref name="dictionaryChanged"/> says the dictionary grew, so it
    /// must be published before this batch. Brotli is used only when it makes the payload smaller.
    /// </summary>
    public byte[] Encode(IReadOnlyList<Sample> samples, long? sentNs, out bool dictionaryChanged)
    {
        if (samples.Count == 0) throw new ArgumentException("a batch has at least one sample", nameof(samples));
        dictionaryChanged = false;
        var index = new uint[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var key = SeriesKey(samples[i]);
            if (!_series.TryGetValue(key, out index[i]))
            {
                index[i] = (uint)_dictionary.Series.Count;
                var series = new Series { Measurement = samples[i].Measurement, Equipment = samples[i].Equipment };
                foreach (var r in samples[i].Readings) series.Channels.Add(new Channel { Name = r.Name, Unit = r.Unit });
                _dictionary.Series.Add(series);
                _series[key] = index[i];
                _dictionaryPayload = null;
                dictionaryChanged = true;
            }
        }
        if (dictionaryChanged || DictionaryId == 0) DictionaryId = WireV2.IdOf(_dictionary);

        var batch = new Batch { Dictionary = DictionaryId, FirstSeq = (ulong)samples[0].Seq, FirstTime = samples[0].TimestampNs };
        if (sentNs is { } sent) batch.SentDeltaMs = (sent - samples[0].TimestampNs) / 1_000_000;

        var consecutive = true;
        for (var i = 1; i < samples.Count; i++) consecutive &= samples[i].Seq == samples[i - 1].Seq + 1;
        var last = new Dictionary<uint, (long Time, long? Interval)>();
        for (var i = 0; i < samples.Count; i++)
        {
            batch.Series.Add(index[i]);
            var t = samples[i].TimestampNs;
            var seen = last.TryGetValue(index[i], out var prev);
            if (i > 0)
            {
                if (!consecutive) batch.SeqDeltas.Add(samples[i].Seq - samples[i - 1].Seq);
                batch.TimeDeltas.Add(!seen ? t - samples[0].TimestampNs : prev.Interval is { } interval ? t - prev.Time - interval : t - prev.Time);
            }
            last[index[i]] = (t, seen ? t - prev.Time : null);
        }

        // Columns in the order the decoder reads them (WireV2.ColumnStarts).
        var firstColumn = WireV2.ColumnStarts(index, _dictionary, out var columns);
        var decimals = new int[columns];
        for (var i = 0; i < samples.Count; i++)
        for (var c = 0; c < samples[i].Readings.Count; c++)
        {
            var d = DecimalsOf(samples[i].Readings[c].Value);
            ref var column = ref decimals[firstColumn[index[i]] + c];
            if (d <= WireV2.MaxDecimals && d > column) column = d;
        }
        foreach (var d in decimals) batch.Decimals.Add((uint)d);

        var scaled = new long[columns];
        var position = 0L;
        var lastRaw = 0L;
        for (var i = 0; i < samples.Count; i++)
        for (var c = 0; c < samples[i].Readings.Count; c++, position++)
        {
            var column = firstColumn[index[i]] + c;
            var value = samples[i].Readings[c].Value;
            if (TryScale(value, decimals[column], out var k))
            {
                batch.Values.Add(k - scaled[column]);
                scaled[column] = k;
            }
            else
            {
                batch.Values.Add(0);
                batch.RawPositions.Add((uint)(position - lastRaw));
                batch.RawValues.Add(value);
                lastRaw = position;
            }
        }

        var raw = batch.ToByteArray();
        var payload = new byte[raw.Length + 2];
        payload[0] = WireV2.VersionByte;
        payload[1] = WireV2.FlagRaw;
        raw.CopyTo(payload, 2);
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length) + 2];
        // Quality 6 and a window no larger than the batch: most of quality 11's ratio on a few KB, at a small
        // fraction of its CPU (the window's memory is set up on every call, so a large one costs time too).
        var window = Math.Clamp(64 - (int)ulong.LeadingZeroCount((ulong)raw.Length), 10, 24);
        if (BrotliEncoder.TryCompress(raw, compressed.AsSpan(2), out var written, quality: 6, window: window) && written + 2 < payload.Length)
        {
            compressed[0] = WireV2.VersionByte;
            compressed[1] = WireV2.FlagBrotli;
            return compressed[..(written + 2)];
        }
        return payload;
    }

    /// <summary>The fewest decimals at which the value is exactly an integer the decoder turns back into the same double; MaxDecimals + 1 if none.</summary>
    private static int DecimalsOf(double value)
    {
        for (var d = 0; d <= WireV2.MaxDecimals; d++)
            if (TryScale(value, d, out _)) return d;
        return WireV2.MaxDecimals + 1;
    }

    private static bool TryScale(double value, int decimals, out long scaled)
    {
        scaled = 0;
        if (!double.IsFinite(value)) return false;
        var k = Math.Round(value * WireV2.Pow10[decimals]);
        if (Math.Abs(k) > 9_007_199_254_740_992d) return false; // 2^53: beyond it integers are not exact
        scaled = (long)k;
        // Bit for bit, as the decoder computes it (so -0.0 and every last digit survive, or the value goes raw).
        return BitConverter.DoubleToInt64Bits(scaled / WireV2.Pow10[decimals]) == BitConverter.DoubleToInt64Bits(value);
    }

    private static string SeriesKey(Sample s) => SeriesKey(s.Measurement, s.Equipment, s.Readings.Select(r => (r.Name, r.Unit)));

    private static string SeriesKey(string measurement, string equipment, IEnumerable<(string Name, string Unit)> channels)
    {
        var key = new System.Text.StringBuilder(measurement).Append('\0').Append(equipment);
        foreach (var (name, unit) in channels) key.Append('\0').Append(name).Append('\0').Append(unit);
        return key.ToString();
    }

    private static bool IsHex32(string s) => s.Length == 32 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
