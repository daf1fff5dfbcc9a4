using System.Runtime.CompilerServices;
using System.Text;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Wire;

/// <summary>
/// The hot path for wire-v2 batches: <see cref="WireV2.TryWalk"/> decodes the columns sample by sample (as
/// <see cref="WireV2.TryDecode"/> does) and each sample's line goes straight into the buffer — no sample or reading
/// objects, no strings. What the validator checks per reading (names, units, catalogue units, reserved and repeated
/// names) is a property of the dictionary's series, so it is checked once per dictionary and kept with the series'
/// line prefix; per sample only its seq, time and values remain. Declines what the v1 path declines.
/// </summary>
public sealed partial class BatchTranscoder
{
    /// <summary>A series the transcoder takes: "measurement,device=…,equipment=…,site=… " and "name=" per channel.</summary>
    private sealed record SeriesLines(byte[] Prefix, byte[][] Fields);

    /// <summary>A dictionary as one device's batches use it; a null series is one the transcoder declines.</summary>
    private sealed record DictionaryLines(string Site, string Device, int SeriesCount, string? Stream, SeriesLines?[] Series);

    private readonly ConditionalWeakTable<ChannelDictionary, DictionaryLines> _dictionaryLines = new();

    private bool TryWriteV2(ReadOnlySpan<byte> payload, DeviceTopic topic, long latestNs, LineBuffer lines, List<long> seqs, bool signed,
        Func<ulong, ChannelDictionary?> dictionaries, out Taken taken)
    {
        taken = default;
        if (WireV2.TryOpen(payload, topic.Site, topic.Device, dictionaries, _limits.MaxPayloadBytes * BatchValidator.MaxV2Expansion, out _) is not (Batch batch, ChannelDictionary dictionary))
            return false;
        var plan = LinesFor(dictionary, topic);
        if (plan.Stream is null || !WireV2.TrySentNs(batch, out var sentNs)) return false;
        long minNs = long.MaxValue, maxNs = long.MinValue;
        var samples = 0;
        var walked = WireV2.TryWalk(batch, dictionary, _limits.MaxSamplesPerBatch, (seq, t, s, values) =>
        {
            if (plan.Series[s] is not { } series || seq < 1 || seq > BatchValidator.MaxSeq || t < Time.EarliestPlausibleNs || t > latestNs) return false;
            foreach (var value in values)
                if (!double.IsFinite(value)) return false;
            lines.Write(series.Prefix);
            for (var c = 0; c < values.Length; c++)
            {
                lines.Write(series.Fields[c]);
                WriteValue(lines, values[c]);
            }
            WriteSeqAndTime(lines, seq, t, signed);
            seqs.Add(seq);
            minNs = Math.Min(minNs, t);
            maxNs = Math.Max(maxNs, t);
            samples++;
            return true;
        }, out _);
        if (!walked) return false;
        taken = new Taken(plan.Stream, sentNs, samples, minNs, maxNs);
        return true;
    }

    /// <summary>The dictionary's line prefixes for this device, built on its first batch (a dictionary never changes once received).</summary>
    private DictionaryLines LinesFor(ChannelDictionary dictionary, DeviceTopic topic)
    {
        if (_dictionaryLines.TryGetValue(dictionary, out var kept) && kept.Site == topic.Site && kept.Device == topic.Device && kept.SeriesCount == dictionary.Series.Count)
            return kept;
        var stream = WireV2.StreamOf(dictionary);
        var built = new DictionaryLines(topic.Site, topic.Device, dictionary.Series.Count, BatchValidator.IsValidStream(stream) ? stream : null,
            dictionary.Series.Select(s => LinesFor(s, topic)).ToArray());
        _dictionaryLines.AddOrUpdate(dictionary, built);
        return built;
    }

    /// <summary>A series' lines, or null when any sample of it would be declined whatever its values (BatchValidator's per-reading checks).</summary>
    private SeriesLines? LinesFor(Series series, DeviceTopic topic)
    {
        var measurement = Encoding.UTF8.GetBytes(series.Measurement);
        var equipment = Encoding.UTF8.GetBytes(series.Equipment);
        if (!IsName(measurement) || !_measurements.Set.Contains(series.Measurement) || !IsEquipment(equipment)) return null;
        if (series.Channels.Count == 0 || series.Channels.Count > Math.Min(_limits.MaxReadingsPerSample, 64)) return null;
        Span<byte> tags = stackalloc byte[2 * 64 + 32];
        var tagLength = SiteDeviceTags(topic, tags);
        if (tagLength < 0) return null;
        var siteLength = SiteTag(topic.Site, tags[tagLength..]);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fields = new byte[series.Channels.Count][];
        for (var c = 0; c < fields.Length; c++)
        {
            var (name, unit) = (series.Channels[c].Name, series.Channels[c].Unit);
            fields[c] = Encoding.UTF8.GetBytes(name + "=");
            if (!IsName(fields[c].AsSpan(0, fields[c].Length - 1)) || BatchValidator.ReservedFields.Contains(name) || !names.Add(name)) return null;
            if (!_units.Set.Contains(unit)) return null;
            if (_channelUnits.Dictionary.TryGetValue(series.Measurement + "." + name, out var catalogued) && catalogued != unit) return null;
        }
        // measurement,device=…,equipment=…,site=… — as SamplePoints + LineProtocolWriter write it.
        byte[] prefix = [.. measurement, .. tags[..tagLength], .. equipment, .. tags.Slice(tagLength, siteLength)];
        return new SeriesLines(prefix, fields);
    }
}
