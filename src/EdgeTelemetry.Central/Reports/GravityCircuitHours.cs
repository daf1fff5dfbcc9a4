using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Localization;
using EdgeTelemetry.Central.Storage;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// How long the gravity circuit ran: per piece of equipment, the minutes whose mean indicator
/// reached a threshold (bowl speed for centrifuges, stroke rate for tables, water flow for
/// sluices). InfluxDB counts the minutes itself (a subquery), so a year costs one small answer.
/// </summary>
public sealed class GravityCircuitHours(InfluxQueryClient influx, IOptions<ApiOptions> options, RetentionLayout layout, TimeProvider clock, ReportWords words)
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
        var parts = new List<int>();
        foreach (var (kind, field, threshold, _) in indicators)
        {
            // Per-minute means are what the minute rollup holds: a year is read from it, the last minutes from raw points.
            var plan = layout.Plan(kind, from, to, RetentionLayout.Minute, clock.GetUtcNow());
            parts.Add(plan.Count);
            foreach (var part in plan)
            {
                var minutes = $"(SELECT {RetentionLayout.Aggregate("mean", field, part)} AS m FROM {layout.Source(kind, part)} WHERE {InfluxQl.TagEquals("site", site)} " +
                              $"AND {InfluxQl.Period(part.From, part.To)} GROUP BY time(1m), equipment)";
                statements.Add($"SELECT count(m) FROM {minutes} WHERE m >= {threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} GROUP BY equipment");
                statements.Add($"SELECT count(m) FROM {minutes} GROUP BY equipment");
            }
        }
        var r = await influx.QueryAsync(string.Join(";\n", statements), ct);
        var hours = new List<OperatingHours>();
        var at = 0;
        for (var i = 0; i < indicators.Length; i++)
        {
            var (kind, field, threshold, unit) = indicators[i];
            var running = new Dictionary<string, long>(StringComparer.Ordinal);
            var withAny = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var p = 0; p < parts[i]; p++, at += 2)
            {
                foreach (var (e, n) in Minutes(r[at])) running[e] = running.GetValueOrDefault(e) + n;
                foreach (var (e, n) in Minutes(r[at + 1])) withAny[e] = withAny.GetValueOrDefault(e) + n;
            }
            foreach (var (equipment, withData) in withAny)
                hours.Add(new OperatingHours(equipment, kind, running.GetValueOrDefault(equipment) / 60.0, withData / 60.0,
                    words.Format("gravity.rule", InSentence(words.Channel(field)), words.Num(threshold), unit)));
        }
        return hours.OrderBy(h => h.Equipment, StringComparer.Ordinal).ToList();
    }

    /// <summary>A display name inside a sentence: "Bowl speed" → "bowl speed" (names start capitalised for headings and legends).</summary>
    private string InSentence(string name) => name.Length > 1 && !char.IsUpper(name[1]) ? char.ToLower(name[0], words.Culture) + name[1..] : name;

    private static Dictionary<string, long> Minutes(IReadOnlyList<InfluxSeries> series) =>
        series.Where(s => s.Rows.Count > 0)
            .ToDictionary(s => s.Tag("equipment") ?? "", s => InfluxValue.Long(s.Rows[0][1]) ?? 0, StringComparer.Ordinal);
}
