using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Google.Protobuf;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Wire.V2;

/// <summary>
/// Wire v2 (wire_v2.proto, docs/wire-protocol.md): framing, dictionary ids, and the decoder into the
/// same <see cref="TelemetryBatch"/> the v1 JSON decodes to, so one validator judges both.
/// </summary>
public static class WireV2
{
    /// <summary>First payload byte of a v2 batch; a v1 JSON payload starts with '{' or whitespace.</summary>
    public const byte VersionByte = 2;
    public const byte FlagRaw = 0;
    public const byte FlagBrotli = 1;
    /// <summary>The MQTT v5 content type agents set on v2 messages (informative: the first byte decides).</summary>
    public const string ContentType = "application/vnd.edgetelemetry.v2+protobuf";
    /// <summary>Decimal places a column may be scaled by; beyond it a value travels as a raw double.</summary>
    public const int MaxDecimals = 9;

    internal static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    public static bool IsV2(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == VersionByte;

    /// <summary>The content address of a dictionary: the first 8 bytes of SHA-256 over its encoding.</summary>
    public static ulong IdOf(ChannelDictionary dictionary) => BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(dictionary.ToByteArray()));

    /// <summary>The id as the last topic level of edgetelemetry/v1/{site}/{device}/dictionary/{id}.</summary>
    public static string TopicId(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParseTopicId(string text, out ulong id)
    {
        // Exactly the form TopicId writes (16 lowercase hex digits), so one dictionary has one topic.
        if (text.Length == 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && text == TopicId(id)) return true;
        id = 0;
        return false;
    }

    /// <summary>
    /// Parses a dictionary message published under <paramref name="topicId"/>; null with a reason when it is not
    /// a dictionary or its content does not hash to the id it was published under (it could not be trusted to
    /// decode the batches that name that id).
    /// </summary>
    public static ChannelDictionary? TryParseDictionary(ReadOnlySpan<byte> payload, ulong topicId, int maxSeries, out string? error)
    {
        ChannelDictionary dictionary;
        try { dictionary = ChannelDictionary.Parser.ParseFrom(payload); }
        catch (InvalidProtocolBufferException ex) { error = $"not a v2 dictionary: {ex.Message}"; return null; }
        if (dictionary.Series.Count > maxSeries) { error = $"dictionary has {dictionary.Series.Count} series; the limit is {maxSeries}"; return null; }
        var id = IdOf(dictionary);
        if (id != topicId) { error = $"dictionary content hashes to {TopicId(id)}, not to the {TopicId(topicId)} it was published under"; return null; }
        error = null;
        return dictionary;
    }

    /// <summary>
    /// Decodes a v2 payload into the v1 object model (site and device from the topic, which the broker's ACL
    /// vouches for). Every count and index is checked before use and decompression stops at
    /// <paramref name="maxDecodedBytes"/>, so no payload can make it allocate beyond that or throw.
    /// </summary>
    public static TelemetryBatch? TryDecode(ReadOnlySpan<byte> payload, string site, string device, Func<ulong, ChannelDictionary?> dictionaries,
        int maxSamples, int maxDecodedBytes, out Rejection? error)
    {
        if (TryOpen(payload, site, device, dictionaries, maxDecodedBytes, out error) is not (Batch batch, ChannelDictionary dictionary)) return null;
        var samples = new List<WireSample>(Math.Min(batch.Series.Count, maxSamples));
        var walked = TryWalk(batch, dictionary, maxSamples, (seq, t, s, values) =>
        {
            var series = dictionary.Series[(int)s];
            var readings = new List<WireReading>(values.Length);
            for (var c = 0; c < values.Length; c++)
                readings.Add(new WireReading { Name = series.Channels[c].Name, Unit = series.Channels[c].Unit, Value = values[c] });
            samples.Add(new WireSample { Seq = seq, TimestampNs = t, Measurement = series.Measurement, Equipment = series.Equipment, Readings = readings });
            return true;
        }, out error);
        if (!walked) return null;
        if (!TrySentNs(batch, out var sentNs)) return Fail(RejectReason.MalformedPayload, "a seq, time or value delta overflows 64 bits", out error);
        return new TelemetryBatch
        {
            Version = TelemetryBatch.CurrentVersion,
            Site = site,
            Device = device,
            Stream = StreamOf(dictionary),
            AgentVersion = dictionary.Agent,
            SentNs = sentNs,
            Samples = samples,
        };
    }

    /// <summary>A v2 batch parsed, with the dictionary it names; null with the reason (unknown_dictionary among them) otherwise.</summary>
    internal static (Batch Batch, ChannelDictionary Dictionary)? TryOpen(ReadOnlySpan<byte> payload, string site, string device, Func<ulong, ChannelDictionary?> dictionaries,
        int maxDecodedBytes, out Rejection? error)
    {
        if (TryParseBatch(payload, maxDecodedBytes, out error) is not { } batch) return null;
        if (dictionaries(batch.Dictionary) is { } dictionary) return (batch, dictionary);
        Fail(RejectReason.UnknownDictionary, $"dictionary {TopicId(batch.Dictionary)} has not been received from {site}/{device}", out error);
        return null;
    }

    /// <summary>The stream a dictionary names (hex for the agent's 16-byte ids).</summary>
    internal static string StreamOf(ChannelDictionary dictionary) =>
        dictionary.StreamIdCase == ChannelDictionary.StreamIdOneofCase.StreamHex ? Convert.ToHexStringLower(dictionary.StreamHex.Span) : dictionary.Stream;

    /// <summary>The batch's send time (null when it carries none); false when it overflows.</summary>
    internal static bool TrySentNs(Batch batch, out long? sentNs)
    {
        sentNs = null;
        if (!batch.HasSentDeltaMs) return true;
        try { sentNs = checked(batch.FirstTime + checked(batch.SentDeltaMs * 1_000_000)); return true; }
        catch (OverflowException) { return false; }
    }

    /// <summary>One decoded sample: its seq, time, series (an index into the dictionary) and one value per channel of that series.</summary>
    /// <returns>False to stop the walk.</returns>
    internal delegate bool SampleVisitor(long seq, long timestampNs, uint series, ReadOnlySpan<double> values);

    /// <summary>
    /// Checks the batch's shape against its dictionary, then hands each sample in order to <paramref name="visit"/>,
    /// decoded as <see cref="TryDecode"/> decodes it. False with the reason when the batch is malformed; false with
    /// no reason when <paramref name="visit"/> stopped it. Every count and index is checked before use.
    /// </summary>
    internal static bool TryWalk(Batch batch, ChannelDictionary dictionary, int maxSamples, SampleVisitor visit, out Rejection? error)
    {
        error = null;
        var n = batch.Series.Count;
        if (n == 0) return Failed(RejectReason.EmptyBatch, "batch has no samples", out error);
        if (n > maxSamples) return Failed(RejectReason.Oversized, $"batch has {n} samples; the limit is {maxSamples}", out error);
        if (batch.SeqDeltas.Count is var sd && sd != 0 && sd != n - 1)
            return Failed(RejectReason.MalformedPayload, $"{sd} seq deltas for {n} samples", out error);
        if (batch.TimeDeltas.Count != n - 1)
            return Failed(RejectReason.MalformedPayload, $"{batch.TimeDeltas.Count} time deltas for {n} samples", out error);

        var seriesCount = dictionary.Series.Count;
        var valueCount = 0L;
        var widest = 0;
        foreach (var s in batch.Series)
        {
            if (s >= seriesCount) return Failed(RejectReason.MalformedPayload, $"series {s} is not in dictionary {TopicId(batch.Dictionary)} ({seriesCount} series)", out error);
            var channels = dictionary.Series[(int)s].Channels.Count;
            valueCount += channels;
            widest = Math.Max(widest, channels);
        }
        var firstColumn = ColumnStarts(batch.Series, dictionary, out var columns);
        if (batch.Decimals.Count != columns) return Failed(RejectReason.MalformedPayload, $"{batch.Decimals.Count} column scales for {columns} columns", out error);
        if (batch.Decimals.Any(d => d > MaxDecimals)) return Failed(RejectReason.MalformedPayload, $"a column scale exceeds {MaxDecimals} decimals", out error);
        if (batch.Values.Count != valueCount) return Failed(RejectReason.MalformedPayload, $"{batch.Values.Count} values for {valueCount} readings", out error);
        if (batch.RawPositions.Count != batch.RawValues.Count) return Failed(RejectReason.MalformedPayload, "raw positions and raw values differ in number", out error);

        // Raw positions are deltas that must rise strictly: checked here, then met in order while walking.
        long position = 0;
        for (var i = 0; i < batch.RawPositions.Count; i++)
        {
            position += batch.RawPositions[i];
            if ((i > 0 && batch.RawPositions[i] == 0) || position >= valueCount)
                return Failed(RejectReason.MalformedPayload, "raw value positions must rise and stay within the values", out error);
        }

        try
        {
            var scaled = new long[columns];
            var values = new double[widest];
            var last = new Dictionary<uint, (long Time, long? Interval)>();
            var seq = checked((long)batch.FirstSeq);
            var v = 0;
            var (nextRaw, rawIndex) = batch.RawPositions.Count > 0 ? ((long)batch.RawPositions[0], 0) : (-1L, -1);
            for (var i = 0; i < n; i++)
            {
                var s = batch.Series[i];
                var channels = dictionary.Series[(int)s].Channels.Count;
                if (i > 0) seq = checked(seq + (batch.SeqDeltas.Count == 0 ? 1 : batch.SeqDeltas[i - 1]));
                var seen = last.TryGetValue(s, out var prev);
                var t = i == 0 ? batch.FirstTime
                    : !seen ? checked(batch.FirstTime + batch.TimeDeltas[i - 1])
                    : prev.Interval is { } interval ? checked(prev.Time + interval + batch.TimeDeltas[i - 1])
                    : checked(prev.Time + batch.TimeDeltas[i - 1]);
                last[s] = (t, seen ? checked(t - prev.Time) : null);
                var first = firstColumn[s];
                for (var c = 0; c < channels; c++, v++)
                {
                    var column = first + c;
                    if (v == nextRaw)
                    {
                        values[c] = batch.RawValues[rawIndex];
                        (nextRaw, rawIndex) = ++rawIndex < batch.RawPositions.Count ? (nextRaw + batch.RawPositions[rawIndex], rawIndex) : (-1L, -1);
                    }
                    else
                    {
                        scaled[column] = checked(scaled[column] + batch.Values[v]);
                        values[c] = scaled[column] / Pow10[batch.Decimals[column]];
                    }
                }
                if (!visit(seq, t, s, values.AsSpan(0, channels))) return false;
            }
            return true;
        }
        catch (OverflowException)
        {
            return Failed(RejectReason.MalformedPayload, "a seq, time or value delta overflows 64 bits", out error);
        }
    }

    /// <summary>
    /// The sequence numbers of a v2 batch and the dictionary it names, read without that dictionary (a batch that
    /// arrives before its dictionary is deferred, and its agent told which seqs to send again).
    /// </summary>
    public static bool TryReadSeqs(ReadOnlySpan<byte> payload, int maxSamples, int maxDecodedBytes, out ulong dictionaryId, out List<long> seqs)
    {
        dictionaryId = 0;
        seqs = [];
        if (TryParseBatch(payload, maxDecodedBytes, out _) is not { } batch) return false;
        var n = batch.Series.Count;
        if (n == 0 || n > maxSamples || (batch.SeqDeltas.Count != 0 && batch.SeqDeltas.Count != n - 1)) return false;
        try
        {
            var seq = checked((long)batch.FirstSeq);
            for (var i = 0; i < n; i++)
            {
                if (i > 0) seq = checked(seq + (batch.SeqDeltas.Count == 0 ? 1 : batch.SeqDeltas[i - 1]));
                if (seq is < 1 or > BatchValidator.MaxSeq) return false;
                seqs.Add(seq);
            }
        }
        catch (OverflowException) { return false; }
        dictionaryId = batch.Dictionary;
        return true;
    }

    /// <summary>Frame, decompress (bounded) and parse; null with the reason for anything that is not a v2 batch.</summary>
    private static Batch? TryParseBatch(ReadOnlySpan<byte> payload, int maxDecodedBytes, out Rejection? error)
    {
        error = null;
        if (payload.Length < 2 || payload[0] != VersionByte)
            return FailBatch(RejectReason.UnsupportedVersion, "not a v2 payload (first byte must be 0x02)", out error);
        if (payload[1] is not (FlagRaw or FlagBrotli))
            return FailBatch(RejectReason.MalformedPayload, $"unknown v2 flags 0x{payload[1]:x2}", out error);
        var body = payload[2..];
        byte[]? decompressed = null;
        if (payload[1] == FlagBrotli)
        {
            (decompressed, var tooLarge, var problem) = Decompress(body, maxDecodedBytes);
            if (tooLarge) return FailBatch(RejectReason.Oversized, $"v2 batch decompresses beyond {maxDecodedBytes} bytes", out error);
            if (decompressed is null) return FailBatch(RejectReason.MalformedPayload, $"v2 batch: {problem}", out error);
        }
        Batch batch;
        try
        {
            batch = decompressed is null ? Batch.Parser.ParseFrom(body) : Batch.Parser.ParseFrom(decompressed);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return FailBatch(RejectReason.MalformedPayload, $"v2 batch does not parse: {ex.Message}", out error);
        }
        return batch;
    }

    /// <summary>
    /// Where each series' columns start, encoder and decoder alike: each series that occurs, in ascending index,
    /// then its channels in order. <paramref name="series"/> must index into <paramref name="dictionary"/>.
    /// </summary>
    internal static Dictionary<uint, int> ColumnStarts(IEnumerable<uint> series, ChannelDictionary dictionary, out int columns)
    {
        var starts = new Dictionary<uint, int>();
        columns = 0;
        foreach (var s in series.Distinct().Order())
        {
            starts[s] = columns;
            columns += dictionary.Series[(int)s].Channels.Count;
        }
        return starts;
    }

    /// <summary>Brotli-decompresses at most <paramref name="limit"/> bytes; TooLarge when there would be more (a bomb).</summary>
    private static (byte[]? Data, bool TooLarge, string? Problem) Decompress(ReadOnlySpan<byte> compressed, int limit)
    {
        // BrotliDecoder reports by status, not exception; the output grows by doubling up to the limit.
        using var decoder = new BrotliDecoder();
        var buffer = new byte[Math.Min(limit, Math.Max(1024, compressed.Length * 8))];
        var (read, total) = (0, 0);
        while (true)
        {
            var status = decoder.Decompress(compressed[read..], buffer.AsSpan(total), out var consumed, out var written);
            read += consumed;
            total += written;
            switch (status)
            {
                case System.Buffers.OperationStatus.Done:
                    return (buffer.AsSpan(0, total).ToArray(), false, null);
                case System.Buffers.OperationStatus.DestinationTooSmall:
                    if (buffer.Length >= limit) return (null, true, null);
                    Array.Resize(ref buffer, (int)Math.Min(limit, buffer.Length * 2L));
                    break;
                case System.Buffers.OperationStatus.NeedMoreData:
                    return (null, false, "Brotli stream is truncated");
                default:
                    return (null, false, "Brotli stream is corrupt");
            }
        }
    }

    private static TelemetryBatch? Fail(RejectReason reason, string detail, out Rejection? error)
    {
        error = new Rejection(reason, detail);
        return null;
    }

    private static bool Failed(RejectReason reason, string detail, out Rejection? error)
    {
        Fail(reason, detail, out error);
        return false;
    }

    private static Batch? FailBatch(RejectReason reason, string detail, out Rejection? error)
    {
        Fail(reason, detail, out error);
        return null;
    }
}
