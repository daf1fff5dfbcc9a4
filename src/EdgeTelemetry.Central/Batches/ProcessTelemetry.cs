using EdgeTelemetry.Central.Storage;

namespace EdgeTelemetry.Central.Batches;

/// <summary>Reads what the telemetry says about a batch window: process means, and the feed mass from a load cell.</summary>
public sealed class ProcessTelemetry(InfluxQueryClient influx, RetentionLayout layout)
{
    /// <summary>Telemetry channel → the process_batch field and the <see cref="ProcessConditions"/> member it fills.</summary>
    private static readonly (string Measurement, string Field, string Condition)[] Channels =
    [
        ("centrifuge", "bowl_speed", nameof(ProcessConditions.MeanBowlSpeedRpm)),
        ("centrifuge", "bowl_g", nameof(ProcessConditions.MeanBowlG)),
        ("centrifuge", "fluidisation_pressure", nameof(ProcessConditions.MeanFluidisationPressureKpa)),
        ("centrifuge", "fluidisation_flow", nameof(ProcessConditions.MeanFluidisationFlowLpm)),
        ("centrifuge", "feed_rate", nameof(ProcessConditions.MeanFeedRateTph)),
        ("shaking_table", "stroke_rate", nameof(ProcessConditions.MeanStrokeRateSpm)),
        ("shaking_table", "feed_rate", nameof(ProcessConditions.MeanFeedRateTph)),
        ("sluice", "feed_rate", nameof(ProcessConditions.MeanFeedRateTph)),
    ];

    /// <summary>Plain means of every sample in [start, end) — rinse stops included, as the window is the batch.</summary>
    public async Task<ProcessConditions> MeansAsync(string site, string equipment, IEnumerable<string> measurements,
        DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var kinds = measurements.Where(m => Channels.Any(c => c.Measurement == m)).ToList();
        if (kinds.Count == 0) return ProcessConditions.None;
        var statements = kinds.Select(m =>
            $"SELECT {string.Join(", ", Channels.Where(c => c.Measurement == m).Select(c => $"mean({InfluxQl.Ident(c.Field)}) AS {InfluxQl.Ident(c.Field)}"))} " +
            $"FROM {layout.RawSource(m)} WHERE {InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("equipment", equipment)} AND {InfluxQl.Period(start, end)}");
        var results = await influx.QueryAsync(string.Join(";\n", statements), ct);
        var means = new Dictionary<string, double>();
        for (var i = 0; i < kinds.Count && i < results.Count; i++)
        {
            if (results[i] is not [{ Rows.Count: > 0 } s, ..]) continue;
            foreach (var c in Channels.Where(c => c.Measurement == kinds[i]))
                if (s.Column(c.Field) is >= 0 and var col && InfluxValue.Double(s.Rows[0][col]) is { } v)
                    means.TryAdd(c.Condition, v);
        }
        double? M(string name) => means.TryGetValue(name, out var v) ? v : null;
        return new ProcessConditions(M(nameof(ProcessConditions.MeanBowlSpeedRpm)), M(nameof(ProcessConditions.MeanBowlG)),
            M(nameof(ProcessConditions.MeanFluidisationPressureKpa)), M(nameof(ProcessConditions.MeanFluidisationFlowLpm)),
            M(nameof(ProcessConditions.MeanFeedRateTph)), M(nameof(ProcessConditions.MeanStrokeRateSpm)));
    }

    /// <summary>
    /// Feed mass from a load cell under the feed hopper (weighing.mass, kg): the weight the hopper
    /// lost over the window. Per-minute means damp the load cell's noise; a rise between minutes is
    /// a refill and is not counted. Resolution: about one minute of feed at each end and refill.
    /// Null when fewer than two minutes have readings.
    /// </summary>
    public async Task<double?> LoadCellFeedMassKgAsync(string site, string equipment, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var series = await influx.QuerySeriesAsync(
            $"SELECT mean(\"mass\") FROM {layout.RawSource("weighing")} WHERE {InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("equipment", equipment)} " +
            $"AND {InfluxQl.Period(start, end)} GROUP BY time(1m) fill(none)", ct);
        var minutes = series.SelectMany(s => s.Rows).Select(r => InfluxValue.Double(r[1])).OfType<double>().ToList();
        if (minutes.Count < 2) return null;
        var lost = 0.0;
        for (var i = 1; i < minutes.Count; i++)
            if (minutes[i] < minutes[i - 1]) lost += minutes[i - 1] - minutes[i];
        return lost;
    }
}
