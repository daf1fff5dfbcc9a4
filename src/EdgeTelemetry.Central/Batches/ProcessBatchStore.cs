using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Batches;

/// <summary>
/// process_batch points (docs/data-model.md, "Batch results"): tags site, equipment; time = batch
/// start; one field per known value. A write replaces the point's fields it names and keeps the
/// rest, which is how InfluxDB treats the same series + timestamp.
/// </summary>
public sealed class ProcessBatchStore(InfluxQueryClient influx, InfluxWriter writer)
{
    public const string Measurement = EdgeTelemetry.Model.Measurements.ProcessBatch;

    public async Task SaveAsync(ProcessBatch b, CancellationToken ct)
    {
        var p = new Point(Measurement, Time.ToUnixNanoseconds(b.Start))
            .Tag("site", b.Site)
            .Tag("equipment", b.Equipment)
            .Field("batch_id", b.Id)
            .Field("end_ns", Time.ToUnixNanoseconds(b.End));
        void F(string name, double? v)
        {
            if (v is { } d) p.Field(name, d);
        }
        F("feed_mass_kg", b.FeedMassKg);
        if (b.FeedMassSource is { } source) p.Field("feed_mass_source", source);
        F("feed_grade_gpt", b.FeedGradeGpt);
        F("concentrate_mass_kg", b.ConcentrateMassKg);
        F("concentrate_grade_gpt", b.ConcentrateGradeGpt);
        F("tailings_grade_gpt", b.TailingsGradeGpt);
        F("recovery_pct", b.Recovery.RecoveryPct);
        if (b.Recovery.Method is { } method) p.Field("recovery_method", method);
        F("mass_pull_pct", b.Recovery.MassPullPct);
        F("upgrade_ratio", b.Recovery.UpgradeRatio);
        var c = b.Conditions;
        F("mean_bowl_speed_rpm", c.MeanBowlSpeedRpm);
        F("mean_bowl_g", c.MeanBowlG);
        F("mean_fluidisation_pressure_kpa", c.MeanFluidisationPressureKpa);
        F("mean_fluidisation_flow_lpm", c.MeanFluidisationFlowLpm);
        F("mean_feed_rate_tph", c.MeanFeedRateTph);
        F("mean_stroke_rate_spm", c.MeanStrokeRateSpm);
        // One point in one write: InfluxDB stores all of it or none.
        await writer.WriteAsync(LineProtocolWriter.Write([p]), ct);
    }

    public async Task<ProcessBatch?> FindAsync(string site, string equipment, DateTimeOffset start, CancellationToken ct)
    {
        var series = await influx.QuerySeriesAsync(
            $"SELECT * FROM {Measurement} WHERE {InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("equipment", equipment)} " +
            $"AND time = {InfluxQl.Time(start)}", ct);
        return Read(series).FirstOrDefault();
    }

    /// <summary>Batches that started in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<ProcessBatch>> ListAsync(string site, string? equipment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var where = $"{InfluxQl.TagEquals("site", site)} AND {InfluxQl.Period(from, to)}";
        if (equipment is not null) where += $" AND {InfluxQl.TagEquals("equipment", equipment)}";
        var series = await influx.QuerySeriesAsync($"SELECT * FROM {Measurement} WHERE {where}", ct);
        return Read(series).OrderBy(b => b.Start).ThenBy(b => b.Equipment, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<ProcessBatch> Read(IReadOnlyList<InfluxSeries> series)
    {
        foreach (var s in series)
        {
            foreach (var row in s.Rows)
            {
                object? V(string name) => s.Column(name) is >= 0 and var i ? row[i] : null;
                double? D(string name) => InfluxValue.Double(V(name));
                var start = InfluxValue.Time(row[0]);
                var site = InfluxValue.String(V("site")) ?? s.Tag("site") ?? "";
                var equipment = InfluxValue.String(V("equipment")) ?? s.Tag("equipment") ?? "";
                var end = InfluxValue.Long(V("end_ns")) is { } endNs ? Time.FromUnixNanoseconds(endNs) : start;
                var inputs = new RecoveryInputs(D("feed_mass_kg"), D("feed_grade_gpt"), D("concentrate_mass_kg"),
                    D("concentrate_grade_gpt"), D("tailings_grade_gpt"));
                // Stored results are what dashboards show; the two-product cross-check is recomputed.
                var computed = RecoveryCalculator.Calculate(inputs);
                var recovery = new RecoveryResult(D("recovery_pct") ?? computed.RecoveryPct,
                    InfluxValue.String(V("recovery_method")) ?? computed.Method,
                    D("mass_pull_pct") ?? computed.MassPullPct, D("upgrade_ratio") ?? computed.UpgradeRatio,
                    computed.TwoProductRecoveryPct);
                var conditions = new ProcessConditions(D("mean_bowl_speed_rpm"), D("mean_bowl_g"), D("mean_fluidisation_pressure_kpa"),
                    D("mean_fluidisation_flow_lpm"), D("mean_feed_rate_tph"), D("mean_stroke_rate_spm"));
                yield return new ProcessBatch(site, equipment, start, end, inputs.FeedMassKg, InfluxValue.String(V("feed_mass_source")),
                    inputs.FeedGradeGpt, inputs.ConcentrateMassKg, inputs.ConcentrateGradeGpt, inputs.TailingsGradeGpt, recovery, conditions);
            }
        }
    }
}
