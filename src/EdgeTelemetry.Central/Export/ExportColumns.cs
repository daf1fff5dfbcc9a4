using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Export;

/// <summary>One exported channel: where it is stored and the unit it carries (from the channel catalogue).</summary>
public sealed record ExportChannel(string Measurement, string Field, string? Unit)
{
    /// <summary><c>centrifuge.bowl_speed [rpm]</c>; <c>[?]</c> for a field outside the catalogue, whose unit is not stored.</summary>
    public string Header => $"{Measurement}.{Field} [{Unit ?? "?"}]";
}

/// <summary>
/// Finds the numeric channels an equipment has reported, catalogue order first. Field keys belong
/// to a whole measurement (all equipment of that kind), so each is kept only if this equipment has
/// ever had a value for it: no column that could only be blank. last(*) reads only the newest
/// block of each field, so this costs the same for a day as for a year.
/// </summary>
public sealed class ExportColumns(InfluxQueryClient influx, RetentionLayout layout)
{
    /// <summary>Bookkeeping fields, not channels: a mean of them means nothing.</summary>
    private static readonly HashSet<string> NotChannels = new(StringComparer.Ordinal) { "seq", "clock_corrected", "clock_uncertain", PointFlags.ClockSkew, PointFlags.Signed };

    public async Task<IReadOnlyList<ExportChannel>> ForAsync(string site, string equipment, IReadOnlyList<string> measurements, CancellationToken ct)
    {
        var where = $"{InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("equipment", equipment)}";
        // Raw points and the hour rollup (whose fields are mean_<field>, …): a channel whose raw points expired still has its column.
        var rollup = (string m) => layout.Enabled && layout.RolledUp.Contains(m) ? $", {InfluxQl.Ident(layout.Options.HourPolicy)}.{InfluxQl.Ident(m)}" : "";
        var statements = measurements.SelectMany(m => new[]
        {
            $"SHOW FIELD KEYS FROM {layout.RawSource(m)}{rollup(m)}",
            $"SELECT last(*) FROM {layout.RawSource(m)}{rollup(m)} WHERE {where}",
        });
        var results = await influx.QueryAsync(string.Join(";\n", statements), ct);
        var channels = new List<ExportChannel>();
        for (var i = 0; i < measurements.Count && 2 * i + 1 < results.Count; i++)
        {
            var m = measurements[i];
            var reported = results[2 * i + 1] is [{ Rows.Count: > 0 } last, ..]
                ? last.Columns.Select((c, k) => (c, k)).Where(x => x.c.StartsWith("last_", StringComparison.Ordinal) && last.Rows[0][x.k] is not null)
                    .Select(x => RawField(x.c["last_".Length..])).ToHashSet(StringComparer.Ordinal)
                : [];
            var fields = results[2 * i].SelectMany(s => s.Rows.Select(r => (Key: RawField(InfluxValue.String(r[0]) ?? ""), Type: InfluxValue.String(r[1]))))
                .Where(f => f.Key.Length > 0 && f.Type is "float" or "integer" && !NotChannels.Contains(f.Key) && reported.Contains(f.Key))
                .Select(f => f.Key).Distinct().ToList();
            var catalogue = Channels.All.Where(c => c.Measurement == m).Select(c => c.Field).ToList();
            foreach (var f in fields.OrderBy(f => catalogue.IndexOf(f) is var k and >= 0 ? k : int.MaxValue).ThenBy(f => f, StringComparer.Ordinal))
                channels.Add(new ExportChannel(m, f, Channels.Find(m, f)?.Unit));
        }
        return channels;
    }

    /// <summary>The channel a rollup field stands for (mean_x → x); count_ and sum_ columns double it, min_/max_ too.</summary>
    private static string RawField(string key) =>
        key.StartsWith("mean_", StringComparison.Ordinal) ? key[5..]
        : key.StartsWith("count_", StringComparison.Ordinal) || key.StartsWith("sum_", StringComparison.Ordinal) || key.StartsWith("min_", StringComparison.Ordinal) || key.StartsWith("max_", StringComparison.Ordinal) ? ""
        : key;
}
