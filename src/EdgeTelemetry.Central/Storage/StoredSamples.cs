using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Storage;

/// <summary>A sample point as InfluxDB holds it: identity and fields (integers as long, floats as double, as the query answers).</summary>
public sealed record StoredPoint(string Measurement, string Equipment, long TimestampNs, IReadOnlyDictionary<string, object> Fields);

/// <summary>
/// Reads back stored sample points of one device through <see cref="InfluxQueryClient"/>, for the replay check:
/// the device's latest sample time, and the points of a few series in a few time spans. Raw measurements are read
/// from both retention policies (<see cref="RetentionLayout.RawSource"/>), where a point may be.
/// </summary>
public sealed class StoredSamples(InfluxQueryClient query, RetentionLayout layout)
{
    /// <summary>Statements per request: a batch spread over many spans costs a few requests, never one huge one.</summary>
    private const int StatementsPerRequest = 64;

    /// <summary>The latest sample time stored for the device in any measurement a device writes, or null when it has none.</summary>
    public async Task<long?> LatestAsync(string site, string device, IEnumerable<string> measurements, CancellationToken ct)
    {
        var from = string.Join(", ", measurements.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(layout.RawSource));
        var series = await query.QuerySeriesAsync(
            $"SELECT last(seq) FROM {from} WHERE {InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("device", device)}", ct);
        long? latest = null;
        foreach (var s in series)
            foreach (var row in s.Rows)
                if (InfluxValue.Long(row[0]) is { } t) latest = Math.Max(latest ?? long.MinValue, t);
        return latest;
    }

    /// <summary>
    /// The stored points of the device's (measurement, equipment) series in the given closed time spans (ns),
    /// keyed by (measurement, equipment, time); a key may hold two points when both retention policies have one.
    /// </summary>
    public async Task<Dictionary<(string Measurement, string Equipment, long TimestampNs), List<StoredPoint>>> ReadAsync(
        string site, string device, IReadOnlyCollection<string> measurements, IReadOnlyCollection<string> equipment,
        IReadOnlyList<(long From, long To)> spans, CancellationToken ct)
    {
        var found = new Dictionary<(string, string, long), List<StoredPoint>>();
        var from = string.Join(", ", measurements.Order(StringComparer.Ordinal).Select(layout.RawSource));
        var where = $"{InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("device", device)} AND ("
            + string.Join(" OR ", equipment.Order(StringComparer.Ordinal).Select(e => InfluxQl.TagEquals("equipment", e))) + ")";
        // GROUP BY *: tags come back as series tags, so the columns are the time and the fields only.
        var statements = spans.Select(s => $"SELECT * FROM {from} WHERE {where} AND time >= {InfluxQl.Time(s.From)} AND time <= {InfluxQl.Time(s.To)} GROUP BY *").ToList();
        for (var i = 0; i < statements.Count; i += StatementsPerRequest)
        {
            var results = await query.QueryAsync(string.Join(";\n", statements.Skip(i).Take(StatementsPerRequest)), ct);
            foreach (var s in results.SelectMany(r => r))
            {
                var equipmentTag = s.Tag("equipment") ?? "";
                foreach (var row in s.Rows)
                {
                    if (InfluxValue.Long(row[0]) is not { } t) continue;
                    var fields = new Dictionary<string, object>(StringComparer.Ordinal);
                    for (var c = 1; c < s.Columns.Count; c++)
                        if (row[c] is { } v) fields[s.Columns[c]] = v;
                    var key = (s.Name, equipmentTag, t);
                    if (!found.TryGetValue(key, out var list)) found[key] = list = [];
                    list.Add(new StoredPoint(s.Name, equipmentTag, t, fields));
                }
            }
        }
        return found;
    }

    /// <summary>Sample times grouped into spans: a new span where consecutive times are more than <paramref name="gapNs"/> apart.</summary>
    public static List<(long From, long To)> Spans(IEnumerable<long> timesNs, long gapNs)
    {
        var spans = new List<(long From, long To)>();
        foreach (var t in timesNs.Order())
        {
            if (spans.Count > 0 && t - spans[^1].To <= gapNs) spans[^1] = (spans[^1].From, t);
            else spans.Add((t, t));
        }
        return spans;
    }
}
