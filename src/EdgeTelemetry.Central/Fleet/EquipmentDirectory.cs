using EdgeTelemetry.Central.Storage;

namespace EdgeTelemetry.Central.Fleet;

/// <summary>
/// Which equipment a site has, as seen in its telemetry: equipment id → the measurements it
/// reports (its kind: centrifuge, shaking_table, …). An equipment id not seen in telemetry within the
/// lookback window is unknown; batches and exports refuse it.
/// </summary>
public sealed class EquipmentDirectory(InfluxQueryClient influx, RetentionLayout layout)
{
    /// <summary>Measurements that carry an equipment tag without being telemetry of that equipment.</summary>
    private static readonly IReadOnlySet<string> NotTelemetry = EdgeTelemetry.Model.Measurements.NotTelemetry;

    /// <summary>
    /// Equipment with telemetry from <see cref="RetentionOptions.LookbackDays"/> before <paramref name="from"/> to a day
    /// after <paramref name="to"/>. Bounded, and cheap whatever the window: the newest point of each series
    /// (ORDER BY time DESC LIMIT 1). SHOW TAG VALUES, used before, ignores time bounds in InfluxDB 1.x and reads every series ever stored.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ForSiteAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var since = from - TimeSpan.FromDays(Math.Max(1, layout.Options.LookbackDays));
        var series = await influx.QuerySeriesAsync(
            $"SELECT seq FROM {layout.AllRawSources} WHERE {InfluxQl.TagEquals("site", site)} AND time >= {InfluxQl.Time(since)} AND time < {InfluxQl.Time((to > from ? to : from) + TimeSpan.FromDays(1))} " +
            "GROUP BY equipment ORDER BY time DESC LIMIT 1", ct);
        var map = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var s in series.Where(s => !NotTelemetry.Contains(s.Name) && s.Rows.Count > 0))
        {
            if (s.Tag("equipment") is not { Length: > 0 } equipment) continue;
            if (!map.TryGetValue(equipment, out var kinds)) map[equipment] = kinds = new SortedSet<string>(StringComparer.Ordinal);
            kinds.Add(s.Name);
        }
        return map.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value.ToList(), StringComparer.Ordinal);
    }
}
