using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Wire;

/// <summary>
/// The ingest hot path for v1 JSON batches: one pass of <see cref="Utf8JsonReader"/> over the payload, checking
/// each sample as <see cref="BatchValidator"/> does and writing its line straight into the message's
/// <see cref="LineBuffer"/> — no envelope, sample or reading objects and no strings per reading (the
/// object path costs ~4 KB allocated and ~5.6 µs per sample, DESIGN.md's budget is 2–3 µs end to end).
/// It takes only what it can vouch for: a well-formed batch whose every sample is valid and that needs no
/// per-sample extras (eviction and health records, which delivery accounting reads). Anything else —
/// a rejection, an escape, a duplicate member, an unusual number — makes it decline and leave the buffer
/// as it was; <see cref="BatchValidator"/> then decides, and stays the one definition of what is valid
/// and why not. On what it takes it writes the same bytes as <see cref="SamplePoints"/> +
/// <see cref="LineProtocolWriter"/> (a differential fuzz test holds it to that).
/// </summary>
public sealed partial class BatchTranscoder
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _measurements;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _channelUnits;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _units;
    private readonly ValidationLimits _limits;

    public BatchTranscoder(ValidationLimits limits)
    {
        _limits = limits;
        // What a device may write (BatchValidator's order: service-owned first), minus the records accounting reads.
        var writable = Measurements.DeviceWritable.Concat(limits.AdditionalMeasurements)
            .Where(m => !Measurements.ServiceOwned.Contains(m) && m is not (Measurements.BufferEviction or Measurements.AgentHealth));
        _measurements = new HashSet<string>(writable, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _channelUnits = Channels.All.ToDictionary(c => c.Measurement + "." + c.Field, c => c.Unit, StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _units = new HashSet<string>(Units.Known, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>What a taken batch held besides its lines; <see cref="MinNs"/>..<see cref="MaxNs"/> span its sample times.</summary>
    public readonly record struct Taken(string Stream, long? SentNs, int Samples, long MinNs, long MaxNs);

    /// <summary>
    /// Appends the lines of every sample of <paramref name="payload"/> (published on <paramref name="topic"/>) and
    /// adds their sequence numbers to <paramref name="seqs"/>; false — with <paramref name="lines"/> and
    /// <paramref name="seqs"/> as they were — when the batch is not one it takes.
    /// </summary>
    /// <param name="signed">Mark every point <c>signed=true</c> (its batch's signature is checked by the caller before the lines are used).</param>
    /// <param name="dictionaries">The device's wire-v2 dictionaries by id; null declines every v2 batch.</param>
    public bool TryWrite(ReadOnlySpan<byte> payload, DeviceTopic topic, long latestNs, LineBuffer lines, List<long> seqs, out Taken taken, bool signed = false,
        Func<ulong, V2.ChannelDictionary?>? dictionaries = null)
    {
        var start = lines.Length;
        var seqStart = seqs.Count;
        try
        {
            if (payload.Length <= _limits.MaxPayloadBytes && (V2.WireV2.IsV2(payload)
                    ? dictionaries is not null && TryWriteV2(payload, topic, latestNs, lines, seqs, signed, dictionaries, out taken)
                    : TryWriteCore(payload, topic, latestNs, lines, seqs, signed, out taken)))
                return true;
        }
        catch (JsonException)
        {
            // Malformed JSON: BatchValidator says where and why.
        }
        lines.Truncate(start);
        seqs.RemoveRange(seqStart, seqs.Count - seqStart);
        taken = default;
        return false;
    }

    private bool TryWriteCore(ReadOnlySpan<byte> payload, DeviceTopic topic, long latestNs, LineBuffer lines, List<long> seqs, bool signed, out Taken taken)
    {
        taken = default;
        Span<byte> tags = stackalloc byte[2 * 64 + 32];
        var tagLength = SiteDeviceTags(topic, tags);
        if (tagLength < 0) return false;
        var deviceTag = tags[..tagLength];           // ",device=<d>,equipment="
        var siteTag = tags[tagLength..];              // ",site=<s> "
        siteTag = siteTag[..SiteTag(topic.Site, siteTag)];

        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        string? stream = null;
        long? sent = null;
        bool version = false, site = false, device = false, agent = false, samplesSeen = false;
        var samples = 0;
        long minNs = long.MaxValue, maxNs = long.MinValue;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("v"u8))
            {
                if (version || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var v) || v != TelemetryBatch.CurrentVersion) return false;
                version = true;
            }
            else if (reader.ValueTextEquals("site"u8))
            {
                if (site || !reader.Read() || !IsPlainString(ref reader) || !Ascii.Equals(reader.ValueSpan, topic.Site)) return false;
                site = true;
            }
            else if (reader.ValueTextEquals("device"u8))
            {
                if (device || !reader.Read() || !IsPlainString(ref reader) || !Ascii.Equals(reader.ValueSpan, topic.Device)) return false;
                device = true;
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                if (stream is not null || !reader.Read() || !IsPlainString(ref reader) || !IsStream(reader.ValueSpan)) return false;
                stream = Encoding.ASCII.GetString(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("agent"u8))
            {
                if (agent || !reader.Read() || !IsPlainString(ref reader) || !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)) return false;
                agent = true;
            }
            else if (reader.ValueTextEquals("sent"u8))
            {
                if (sent is not null || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var s)) return false;
                sent = s;
            }
            else if (reader.ValueTextEquals("samples"u8))
            {
                if (samplesSeen || !reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
                samplesSeen = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (++samples > _limits.MaxSamplesPerBatch || !TryWriteSample(ref reader, payload, deviceTag, siteTag, latestNs, lines, seqs, signed, ref minNs, ref maxNs)) return false;
                }
                if (reader.TokenType != JsonTokenType.EndArray) return false;
            }
            else return false; // an unknown member: BatchValidator names it
        }
        // The whole payload is one object and nothing follows it (the reader throws on trailing data).
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return false;
        if (!version || !site || !device || stream is null || samples == 0) return false;
        taken = new Taken(stream, sent, samples, minNs, maxNs);
        return true;
    }

    /// <summary>One reading's place in the payload: name, number text and unit as offsets.</summary>
    private struct ReadingSpan
    {
        public int Name, NameLength, Unit, UnitLength;
        public double Value;
    }

    private bool TryWriteSample(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload, scoped ReadOnlySpan<byte> deviceTag, scoped ReadOnlySpan<byte> siteTag,
        long latestNs, LineBuffer lines, List<long> seqs, bool signed, ref long minNs, ref long maxNs)
    {
        long seq = 0, t = 0;
        int m = -1, mLength = 0, eq = -1, eqLength = 0;
        bool seqSeen = false, tSeen = false;
        Span<ReadingSpan> readings = stackalloc ReadingSpan[Math.Clamp(_limits.MaxReadingsPerSample, 0, 64)];
        var count = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("seq"u8))
            {
                if (seqSeen || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out seq)) return false;
                seqSeen = true;
            }
            else if (reader.ValueTextEquals("t"u8))
            {
                if (tSeen || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out t)) return false;
                tSeen = true;
            }
            else if (reader.ValueTextEquals("m"u8))
            {
                if (m >= 0 || !reader.Read() || !IsPlainString(ref reader) || !IsName(reader.ValueSpan)) return false;
                (m, mLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            else if (reader.ValueTextEquals("eq"u8))
            {
                if (eq >= 0 || !reader.Read() || !IsPlainString(ref reader) || !IsEquipment(reader.ValueSpan)) return false;
                (eq, eqLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            else if (reader.ValueTextEquals("r"u8))
            {
                if (count >= 0 || !reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
                count = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (count == readings.Length || !TryReadReading(ref reader, payload, readings[..count], out readings[count])) return false;
                    count++;
                }
                if (reader.TokenType != JsonTokenType.EndArray) return false;
            }
            else return false;
        }
        if (reader.TokenType != JsonTokenType.EndObject || !seqSeen || !tSeen || m < 0 || eq < 0 || count <= 0) return false;
        if (seq < 1 || seq > BatchValidator.MaxSeq || t < Time.EarliestPlausibleNs || t > latestNs) return false;
        var measurement = payload.Slice(m, mLength);
        Span<char> key = stackalloc char[64 + 1 + 64];
        var keyLength = Ascii.ToUtf16(measurement, key, out var written) == OperationStatus.Done ? written : -1;
        if (keyLength < 0 || !_measurements.Contains(key[..keyLength])) return false;
        key[keyLength] = '.';
        foreach (ref readonly var r in readings[..count])
        {
            // A catalogue channel must arrive in its own unit (BatchValidator: unit_mismatch).
            Ascii.ToUtf16(payload.Slice(r.Name, r.NameLength), key[(keyLength + 1)..], out var n);
            if (_channelUnits.TryGetValue(key[..(keyLength + 1 + n)], out var unit) && !Ascii.Equals(payload.Slice(r.Unit, r.UnitLength), unit)) return false;
        }

        // measurement,device=…,equipment=…,site=… r1=v1,…,seq=Ni t — as SamplePoints + LineProtocolWriter write it.
        lines.Write(measurement);
        lines.Write(deviceTag);
        lines.Write(payload.Slice(eq, eqLength));
        lines.Write(siteTag);
        foreach (ref readonly var r in readings[..count])
        {
            lines.Write(payload.Slice(r.Name, r.NameLength));
            lines.Write((byte)'=');
            WriteValue(lines, r.Value);
        }
        WriteSeqAndTime(lines, seq, t, signed);
        seqs.Add(seq);
        minNs = Math.Min(minNs, t);
        maxNs = Math.Max(maxNs, t);
        return true;
    }

    /// <summary>A field's value and the comma after it ("R": the shortest text that reads back as the same double).</summary>
    private static void WriteValue(LineBuffer lines, double value)
    {
        lines.Advance(FloatText.Write(value, lines.GetSpan(32)));
        lines.Write((byte)',');
    }

    /// <summary>"seq=Ni[,signed=true] t\n": the last field and the timestamp of a line.</summary>
    private static void WriteSeqAndTime(LineBuffer lines, long seq, long t, bool signed)
    {
        lines.Write("seq="u8);
        System.Buffers.Text.Utf8Formatter.TryFormat(seq, lines.GetSpan(20), out var digits);
        lines.Advance(digits);
        lines.Write(signed ? "i,signed=true "u8 : "i "u8);
        System.Buffers.Text.Utf8Formatter.TryFormat(t, lines.GetSpan(20), out digits);
        lines.Advance(digits);
        lines.Write((byte)'\n');
    }

    private bool TryReadReading(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload, scoped ReadOnlySpan<ReadingSpan> earlier, out ReadingSpan reading)
    {
        reading = new ReadingSpan { Name = -1, Unit = -1 };
        var valueSeen = false;
        Span<char> unit = stackalloc char[16];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("n"u8))
            {
                if (reading.Name >= 0 || !reader.Read() || !IsPlainString(ref reader) || !IsName(reader.ValueSpan)) return false;
                (reading.Name, reading.NameLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                if (valueSeen || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out reading.Value) || !double.IsFinite(reading.Value)) return false;
                valueSeen = true;
            }
            else if (reader.ValueTextEquals("u"u8))
            {
                if (reading.Unit >= 0 || !reader.Read() || !IsPlainString(ref reader) || reader.ValueSpan.Length > 16) return false;
                if (Ascii.ToUtf16(reader.ValueSpan, unit, out var n) != OperationStatus.Done || !_units.Contains(unit[..n])) return false;
                (reading.Unit, reading.UnitLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            else return false;
        }
        if (reader.TokenType != JsonTokenType.EndObject || reading.Name < 0 || reading.Unit < 0 || !valueSeen) return false;
        var name = payload.Slice(reading.Name, reading.NameLength);
        if (name.SequenceEqual("seq"u8) || name.SequenceEqual("time"u8) || name.SequenceEqual("signed"u8)) return false; // BatchValidator.ReservedFields
        foreach (ref readonly var e in earlier)
            if (payload.Slice(e.Name, e.NameLength).SequenceEqual(name)) return false;
        return true;
    }

    /// <summary>",device=&lt;device&gt;,equipment=" into <paramref name="tags"/>; the site tag follows it.</summary>
    private static int SiteDeviceTags(DeviceTopic topic, Span<byte> tags)
    {
        // Topic ids are [a-z0-9][a-z0-9_-]{0,63} (Topics): nothing in them needs escaping.
        if (topic.Device.Length > 64 || topic.Site.Length > 64) return -1;
        var n = 0;
        ",device="u8.CopyTo(tags);
        n += 8;
        n += Encoding.ASCII.GetBytes(topic.Device, tags[n..]);
        ",equipment="u8.CopyTo(tags[n..]);
        return n + 11;
    }

    private static int SiteTag(string site, Span<byte> tags)
    {
        ",site="u8.CopyTo(tags);
        var n = 6 + Encoding.ASCII.GetBytes(site, tags[6..]);
        tags[n] = (byte)' ';
        return n + 1;
    }

    /// <summary>A string token without escapes: its bytes in the payload are its value.</summary>
    private static bool IsPlainString(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;

    // The patterns of BatchValidator, on bytes: measurement and reading names, equipment, stream.
    private static bool IsName(ReadOnlySpan<byte> s)
    {
        if (s.Length is 0 or > 64 || s[0] is < (byte)'a' or > (byte)'z') return false;
        foreach (var c in s)
            if (c is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_')) return false;
        return true;
    }

    private static bool IsEquipment(ReadOnlySpan<byte> s)
    {
        if (s.Length is 0 or > 64 || !char.IsAsciiLetterOrDigit((char)s[0])) return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit((char)c) && c is not ((byte)'_' or (byte)'.' or (byte)'-')) return false;
        return true;
    }

    private static bool IsStream(ReadOnlySpan<byte> s)
    {
        if (s.Length is 0 or > 64) return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit((char)c) && c != (byte)'-') return false;
        return true;
    }
}
