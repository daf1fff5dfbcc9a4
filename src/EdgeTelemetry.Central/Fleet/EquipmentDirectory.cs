using EdgeTelemetry.Central.Storage;

namespace EdgeTelemetry.Central.Fleet;

/// <summary>
/// Which equipment a site has, as seen in its telemetry: equipment id → the measurements it
/// reports (its kind: centrifuge, shaking_table, …). An equipment id never seen in telemetry is
/// unknown; batches and exports refuse it.
/// </summary>
public sealed class EquipmentDirectory(InfluxQueryClient influx)
{
    /// <summary>Measurements that carry an equipment tag without being telemetry of that equipment.</summary>
    private static readonly IReadOnlySet<string> NotTelemetry = EdgeTelemetry.Model.Measurements.NotTelemetry;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ForSiteAsync(string site, CancellationToken ct)
    {
        // SHOW TAG VALUES answers one series per measurement, over all time.
        var series = await influx.QuerySeriesAsync(
            $"SHOW TAG VALUES WITH KEY = {InfluxQl.Ident("equipment")} WHERE {InfluxQl.TagEquals("site", site)}", ct);
        var map = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var s in series.Where(s => !NotTelemetry.Contains(s.Name)))
        {
            var value = s.Column("value");
            foreach (var row in s.Rows)
            {
                if (InfluxValue.String(row[value]) is not { } equipment) continue;
                if (!map.TryGetValue(equipment, out var kinds)) map[equipment] = kinds = [];
                kinds.Add(s.Name);
            }
        }
        return map.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal);
    }
}
