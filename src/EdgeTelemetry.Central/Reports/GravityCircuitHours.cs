using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Storage;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// How long the gravity circuit ran: per piece of equipment, the minutes whose mean indicator
/// reached a threshold (bowl speed for centrifuges, stroke rate for tables, water flow for
/// sluices). InfluxDB counts the minutes itself (a subquery), so a year costs one small answer.
/// </summary>
public sealed class GravityCircuitHours(InfluxQueryClient influx, IOptions<ApiOptions> options)
{
    public async Task<IReadOnlyList<OperatingHours>> ForSiteAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var o = options.Value;
        (string Kind, string Field, double Threshold, string Unit)[] indicators =
        [
            ("centrifuge", "bowl_speed", o.CentrifugeOperatingRpm, "rpm"),
            ("shaking_table", "stroke_rate", o.TableOperatingSpm, "spm"),
            ("sluice", "water_flow", o.SluiceOperatingLpm, "L/min"),
        ];
        var statements = new List<string>();
        foreach (var (kind, field, threshold, _) in indicators)
        {
            var minutes = $"(SELECT mean({InfluxQl.Ident(field)}) AS m FROM {InfluxQl.Ident(kind)} WHERE {InfluxQl.TagEquals("site", site)} " +
                          $"AND {InfluxQl.Period(from, to)} GROUP BY time(1m), equipment)";
            statements.Add($"SELECT count(m) FROM {minutes} WHERE m >= {threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} GROUP BY equipment");
            statements.Add($"SELECT count(m) FROM {minutes} GROUP BY equipment");
        }
        var r = await influx.QueryAsync(string.Join(";\n", statements), ct);
        var hours = new List<OperatingHours>();
        for (var i = 0; i < indicators.Length; i++)
        {
            var (kind, field, threshold, unit) = indicators[i];
            var running = Minutes(r[2 * i]);
            foreach (var (equipment, withData) in Minutes(r[2 * i + 1]))
                hours.Add(new OperatingHours(equipment, kind, running.GetValueOrDefault(equipment) / 60.0, withData / 60.0,
                    $"minutes with mean {field} ≥ {threshold} {unit}"));
        }
        return hours.OrderBy(h => h.Equipment, StringComparer.Ordinal).ToList();
    }

    private static Dictionary<string, long> Minutes(IReadOnlyList<InfluxSeries> series) =>
        series.Where(s => s.Rows.Count > 0)
            .ToDictionary(s => s.Tag("equipment") ?? "", s => InfluxValue.Long(s.Rows[0][1]) ?? 0, StringComparer.Ordinal);
}
