using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// How a conflicting replay is kept for review: the rejection's detail names the first differences, and its dead
/// letter carries both versions as JSON — <c>offered</c> (the conflicting samples as sent) and <c>stored</c> (the
/// points they would have changed) — beside the full payload. Bounded: at most <see cref="MaxListed"/> samples,
/// each field under InfluxDB's string limit.
/// </summary>
public static class ConflictRecord
{
    public const int MaxListed = 20;
    private const int MaxJsonChars = 60_000;
    private const int DetailListed = 3;

    public static Rejection Rejection(IReadOnlyList<SampleConflict> conflicts, int samples)
    {
        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{conflicts.Count} of {samples} samples would change stored values and were not stored (the others were); both versions are in this record (offered, stored):");
        foreach (var c in conflicts.Take(DetailListed))
        {
            var o = c.Offered;
            sb.Append(CultureInfo.InvariantCulture, $" seq {o.Seq} {o.Measurement}/{o.Equipment} at {Time.FromUnixNanoseconds(o.TimestampNs):O}");
            if (c.Stored.Count == 0) { sb.Append(" (this seq of the stream is stored at another time or series);"); continue; }
            var stored = c.Stored[0].Fields;
            var differences = o.Readings.Where(r => !stored.TryGetValue(r.Name, out var v) || InfluxValue.Double(v) != r.Value)
                .Select(r => $"{r.Name} stored {(stored.TryGetValue(r.Name, out var v) ? InfluxValue.String(v) : "none")}, offered {r.Value.ToString("R", CultureInfo.InvariantCulture)}")
                .Concat(stored.Keys.Where(k => k != "seq" && !PointFlags.All.Contains(k) && o.Readings.All(r => r.Name != k)).Select(k => $"{k} stored, not offered"))
                .ToList();
            if (InfluxValue.Long(stored.GetValueOrDefault("seq")) is { } seq && seq != o.Seq) differences.Add($"seq stored {seq}, offered {o.Seq}");
            sb.Append(' ').Append(string.Join(", ", differences)).Append(';');
        }
        if (conflicts.Count > DetailListed) sb.Append(CultureInfo.InvariantCulture, $" and {conflicts.Count - DetailListed} more");
        return new Rejection(RejectReason.ConflictingReplay, sb.ToString().TrimEnd(';'));
    }

    /// <summary>Adds <c>offered</c>, <c>stored</c> and <c>conflicts</c> to the dead letter.</summary>
    public static void AddVersions(Point deadLetter, IReadOnlyList<SampleConflict> conflicts)
    {
        deadLetter.Field("conflicts", (long)conflicts.Count);
        deadLetter.Field("offered", Bounded(conflicts, WriteOffered));
        deadLetter.Field("stored", Bounded(conflicts, WriteStored));
    }

    /// <summary>The JSON array of as many conflicts as fit in the limit (at most <see cref="MaxListed"/>).</summary>
    private static string Bounded(IReadOnlyList<SampleConflict> conflicts, Action<Utf8JsonWriter, SampleConflict> write)
    {
        for (var n = Math.Min(MaxListed, conflicts.Count); ; n /= 2)
        {
            var json = Json(conflicts.Take(n), write);
            if (json.Length <= MaxJsonChars || n == 0) return json.Length <= MaxJsonChars ? json : "[]";
        }
    }

    private static string Json(IEnumerable<SampleConflict> conflicts, Action<Utf8JsonWriter, SampleConflict> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var c in conflicts) write(w, c);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOffered(Utf8JsonWriter w, SampleConflict c)
    {
        var o = c.Offered;
        w.WriteStartObject();
        w.WriteNumber("seq", o.Seq);
        w.WriteNumber("t", o.TimestampNs);
        w.WriteString("m", o.Measurement);
        w.WriteString("eq", o.Equipment);
        w.WriteStartObject("fields");
        foreach (var r in o.Readings) w.WriteNumber(r.Name, r.Value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStored(Utf8JsonWriter w, SampleConflict c)
    {
        w.WriteStartObject();
        w.WriteNumber("offered_seq", c.Offered.Seq);
        w.WriteStartArray("points"); // empty: the seq is stored at another time or series
        foreach (var p in c.Stored)
        {
            w.WriteStartObject();
            w.WriteNumber("t", p.TimestampNs);
            w.WriteString("m", p.Measurement);
            w.WriteString("eq", p.Equipment);
            w.WriteStartObject("fields");
            foreach (var (name, value) in p.Fields)
            {
                switch (value)
                {
                    case long l: w.WriteNumber(name, l); break;
                    case double d: w.WriteNumber(name, d); break;
                    case bool b: w.WriteBoolean(name, b); break;
                    default: w.WriteString(name, InfluxValue.String(value)); break;
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
