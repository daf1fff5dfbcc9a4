namespace EdgeTelemetry.Central.Reports;

/// <summary>One valid mercury reading: sample time (Unix ns) and concentration (µg/m³).</summary>
public readonly record struct HgReading(long TimeNs, double UgM3);

/// <summary>A stretch of the period with no valid reading for longer than the gap threshold.</summary>
public sealed record EvidenceGap(DateTimeOffset Start, DateTimeOffset End)
{
    public double Seconds => (End - Start).TotalSeconds;
}

/// <summary>A run of readings above a level with no gap between them. <see cref="MayBeLonger"/>: the
/// run touches a gap or the period's edge, so it may have lasted longer than shown.</summary>
public sealed record Exceedance(DateTimeOffset Start, DateTimeOffset End, double DurationSeconds, double PeakUgM3, DateTimeOffset PeakAt, bool MayBeLonger);

/// <summary>
/// How a monitor's readings cover a period. The period is cut at every reading; a stretch between
/// two consecutive readings (or between the period's edge and the nearest reading) longer than the
/// gap threshold is a gap, everything else is covered. Each reading stands for the stretch after
/// it (the first also for the stretch before it), so time above a level is the summed length of
/// the stretches whose reading is above it. Coverage = covered time / period.
/// </summary>
public sealed class MercuryTimeline
{
    private readonly IReadOnlyList<HgReading> _readings;
    private readonly long[] _stretchStart;
    private readonly long[] _stretchEnd;

    /// <param name="readings">Valid readings in [from, to), sorted by time.</param>
    public MercuryTimeline(IReadOnlyList<HgReading> readings, DateTimeOffset from, DateTimeOffset to, TimeSpan gapThreshold)
    {
        _readings = readings;
        From = from;
        To = to;
        var fromNs = Model.Time.ToUnixNanoseconds(from);
        var toNs = Model.Time.ToUnixNanoseconds(to);
        var gapNs = (long)(gapThreshold.TotalMilliseconds * 1_000_000);
        var gaps = new List<EvidenceGap>();
        _stretchStart = new long[readings.Count];
        _stretchEnd = new long[readings.Count];
        if (readings.Count == 0)
        {
            // Nothing at all: the whole period is unvouched, however short.
            gaps.Add(new EvidenceGap(from, to));
        }
        for (var i = 0; i < readings.Count; i++)
        {
            var t = readings[i].TimeNs;
            var before = i == 0 ? fromNs : t; // the first reading also stands for the lead-in
            if (i == 0 && t - fromNs > gapNs)
            {
                gaps.Add(Gap(fromNs, t));
                before = t;
            }
            var next = i + 1 < readings.Count ? readings[i + 1].TimeNs : toNs;
            var after = next - t > gapNs ? t : next;
            if (after == t && next > t) gaps.Add(Gap(t, next));
            _stretchStart[i] = before;
            _stretchEnd[i] = after;
        }
        Gaps = gaps;
        var periodSeconds = (to - from).TotalSeconds;
        CoveredSeconds = Math.Max(0, periodSeconds - gaps.Sum(g => g.Seconds));
        CoveragePct = periodSeconds > 0 ? CoveredSeconds / periodSeconds * 100 : 0;
    }

    public DateTimeOffset From { get; }
    public DateTimeOffset To { get; }
    public IReadOnlyList<EvidenceGap> Gaps { get; }
    public double CoveredSeconds { get; }
    public double CoveragePct { get; }

    /// <summary>Covered time whose reading is strictly above <paramref name="ugM3"/>, in seconds.</summary>
    public double SecondsAbove(double ugM3)
    {
        long ns = 0;
        for (var i = 0; i < _readings.Count; i++)
            if (_readings[i].UgM3 > ugM3) ns += _stretchEnd[i] - _stretchStart[i];
        return ns / 1e9;
    }

    /// <summary>Runs of consecutive readings above <paramref name="ugM3"/> not broken by a gap.</summary>
    public IReadOnlyList<Exceedance> ExceedancesAbove(double ugM3)
    {
        var events = new List<Exceedance>();
        var first = -1;
        for (var i = 0; i <= _readings.Count; i++)
        {
            var above = i < _readings.Count && _readings[i].UgM3 > ugM3;
            var joined = above && first >= 0 && _stretchEnd[i - 1] == _stretchStart[i];
            if (first >= 0 && !joined)
            {
                events.Add(Event(first, i - 1));
                first = -1;
            }
            if (above && first < 0) first = i;
        }
        return events;
    }

    private Exceedance Event(int first, int last)
    {
        var peak = first;
        long ns = 0;
        for (var i = first; i <= last; i++)
        {
            if (_readings[i].UgM3 > _readings[peak].UgM3) peak = i;
            ns += _stretchEnd[i] - _stretchStart[i];
        }
        // Touching a gap or the period's edge on either side: the true run may be longer than we can vouch for.
        var mayBeLonger = first == 0 || _stretchEnd[first - 1] != _stretchStart[first]
                          || last == _readings.Count - 1 || _stretchEnd[last] != _stretchStart[last + 1];
        return new Exceedance(T(_stretchStart[first]), T(_stretchEnd[last]), ns / 1e9, _readings[peak].UgM3,
            T(_readings[peak].TimeNs), mayBeLonger);
    }

    private static EvidenceGap Gap(long startNs, long endNs) => new(T(startNs), T(endNs));

    private static DateTimeOffset T(long ns) => Model.Time.FromUnixNanoseconds(ns);
}
