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
public sealed class ExportColumns(InfluxQueryClient influx)
{
    /// <summary>Bookkeeping fields, not channels: a mean of them means nothing.</summary>
    private static readonly HashSet<string> NotChannels = new(StringComparer.Ordinal) { "seq", "clock_corrected", "clock_uncertain", "clock_skew" };

    public async Task<IReadOnlyList<ExportChannel>> ForAsync(string site, string equipment, IReadOnlyList<string> measurements, CancellationToken ct)
    {
        var where = $"{InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("equipment", equipment)}";
        var statements = measurements.SelectMany(m => new[]
        {
            $"SHOW FIELD KEYS FROM {InfluxQl.Ident(m)}",
            $"SELECT last(*) FROM {InfluxQl.Ident(m)} WHERE {where}",
        });
        var results = await influx.QueryAsync(string.Join(";\n", statements), ct);
        var channels = new List<ExportChannel>();
        for (var i = 0; i < measurements.Count && 2 * i + 1 < results.Count; i++)
        {
            var m = measurements[i];
            var reported = results[2 * i + 1] is [{ Rows.Count: > 0 } last, ..]
                ? last.Columns.Select((c, k) => (c, k)).Where(x => x.c.StartsWith("last_", StringComparison.Ordinal) && last.Rows[0][x.k] is not null)
                    .Select(x => x.c["last_".Length..]).ToHashSet(StringComparer.Ordinal)
                : [];
            var fields = results[2 * i].SelectMany(s => s.Rows.Select(r => (Key: InfluxValue.String(r[0]) ?? "", Type: InfluxValue.String(r[1]))))
                .Where(f => f.Type is "float" or "integer" && !NotChannels.Contains(f.Key) && reported.Contains(f.Key))
                .Select(f => f.Key).Distinct().ToList();
            var catalogue = Channels.All.Where(c => c.Measurement == m).Select(c => c.Field).ToList();
            foreach (var f in fields.OrderBy(f => catalogue.IndexOf(f) is var k and >= 0 ? k : int.MaxValue).ThenBy(f => f, StringComparer.Ordinal))
                channels.Add(new ExportChannel(m, f, Channels.Find(m, f)?.Unit));
        }
        return channels;
    }
}
