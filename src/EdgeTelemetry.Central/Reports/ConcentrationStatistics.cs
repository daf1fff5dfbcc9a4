namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// Summary statistics over readings (each reading counts once; not time-weighted). Percentiles
/// interpolate linearly between closest ranks (h = (n − 1)·p, as numpy's default and Excel's
/// PERCENTILE.INC), so the median of an even count is the mean of the middle two.
/// </summary>
public sealed record ConcentrationStatistics(long Count, double MeanUgM3, double MedianUgM3, double P95UgM3, double MaxUgM3, DateTimeOffset MaxAt)
{
    /// <summary>Null for no readings: a report says "no data", it does not show zeros.</summary>
    public static ConcentrationStatistics? Of(IReadOnlyList<HgReading> readings)
    {
        if (readings.Count == 0) return null;
        var values = readings.Select(r => r.UgM3).ToArray();
        Array.Sort(values);
        var max = readings[0];
        var sum = 0.0;
        foreach (var r in readings)
        {
            sum += r.UgM3;
            if (r.UgM3 > max.UgM3) max = r;
        }
        return new ConcentrationStatistics(values.Length, sum / values.Length, Percentile(values, 0.5), Percentile(values, 0.95),
            max.UgM3, Model.Time.FromUnixNanoseconds(max.TimeNs));
    }

    /// <summary>Linear interpolation between closest ranks of a sorted array.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var lower = (int)Math.Floor(h);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (h - lower) * (sorted[upper] - sorted[lower]);
    }
}
