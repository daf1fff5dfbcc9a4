using EdgeTelemetry.Central.Reports;

namespace EdgeTelemetry.Api.Tests.Reports;

public class MercuryTimelineTests
{
    private static readonly DateTimeOffset From = new(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);

    private static HgReading At(double minutes, double ugM3) =>
        new(EdgeTelemetry.Model.Time.ToUnixNanoseconds(From.AddMinutes(minutes)), ugM3);

    [Fact]
    public void A_silence_longer_than_the_threshold_is_a_gap_and_everything_else_is_covered()
    {
        // Readings at minutes 0, 1, 2, then 10, 11; period 15 min; threshold 5 min.
        // 2 → 10 is 8 min > 5: gap [10:02, 10:10). 11 → 15 (period end) is 4 min ≤ 5: covered.
        // covered = 15 − 8 = 7 min = 420 s → 420 / 900 = 46.67 %
        var t = new MercuryTimeline([At(0, 1), At(1, 1), At(2, 1), At(10, 1), At(11, 1)], From, From.AddMinutes(15), TimeSpan.FromMinutes(5));

        var gap = Assert.Single(t.Gaps);
        Assert.Equal(From.AddMinutes(2), gap.Start);
        Assert.Equal(From.AddMinutes(10), gap.End);
        Assert.Equal(420, t.CoveredSeconds, 6);
        Assert.Equal(46.6667, t.CoveragePct, 3);
    }

    [Fact]
    public void Lead_in_and_tail_longer_than_the_threshold_are_gaps_too()
    {
        // One reading at minute 7 of 20, threshold 5: [0, 7) is 7 min → gap; [7, 20) is 13 min → gap. Covered 0.
        var t = new MercuryTimeline([At(7, 3)], From, From.AddMinutes(20), TimeSpan.FromMinutes(5));

        Assert.Equal(2, t.Gaps.Count);
        Assert.Equal((From, From.AddMinutes(7)), (t.Gaps[0].Start, t.Gaps[0].End));
        Assert.Equal((From.AddMinutes(7), From.AddMinutes(20)), (t.Gaps[1].Start, t.Gaps[1].End));
        Assert.Equal(0, t.CoveragePct, 9);
        Assert.Equal(0, t.SecondsAbove(0), 9);
    }

    [Fact]
    public void No_readings_leave_the_whole_period_a_gap()
    {
        var t = new MercuryTimeline([], From, From.AddHours(1), TimeSpan.FromMinutes(5));

        var gap = Assert.Single(t.Gaps);
        Assert.Equal(3600, gap.Seconds, 9);
        Assert.Equal(0, t.CoveragePct, 9);
    }

    [Fact]
    public void Time_above_sums_the_stretches_each_reading_stands_for()
    {
        // Minute readings 0.5, 12, 30, 12, 0.5 over 5 min: each stands for 60 s.
        // above 10: 12, 30, 12 → 180 s; above 25: 30 → 60 s; above 0.2: all five → 300 s
        var t = new MercuryTimeline([At(0, 0.5), At(1, 12), At(2, 30), At(3, 12), At(4, 0.5)], From, From.AddMinutes(5), TimeSpan.FromMinutes(5));

        Assert.Equal(180, t.SecondsAbove(10), 6);
        Assert.Equal(60, t.SecondsAbove(25), 6);
        Assert.Equal(300, t.SecondsAbove(0.2), 6);
        var e = Assert.Single(t.ExceedancesAbove(10));
        Assert.Equal((From.AddMinutes(1), From.AddMinutes(4)), (e.Start, e.End));
        Assert.Equal(180, e.DurationSeconds, 6);
        Assert.Equal(30, e.PeakUgM3);
        Assert.False(e.MayBeLonger);
    }

    [Fact]
    public void An_exceedance_interrupted_by_a_gap_is_two_events_each_marked_as_possibly_longer()
    {
        // 20 at 0, 1; silence until 9 (gap [1, 9) with threshold 5); 20 at 9, 10; 1 at 11; period 12 min.
        // Event 1: reading 0 stands for [0, 1), reading 1 ends in the gap → 60 s, touches the gap.
        // Event 2: [9, 11) = 120 s, preceded by the gap.
        var t = new MercuryTimeline([At(0, 20), At(1, 20), At(9, 20), At(10, 20), At(11, 1)], From, From.AddMinutes(12), TimeSpan.FromMinutes(5));

        var events = t.ExceedancesAbove(10);
        Assert.Equal(2, events.Count);
        Assert.Equal(60, events[0].DurationSeconds, 6);
        Assert.Equal(120, events[1].DurationSeconds, 6);
        Assert.All(events, e => Assert.True(e.MayBeLonger));
    }

    [Fact]
    public void Statistics_use_linear_interpolation_between_ranks()
    {
        // Sorted 1, 2, 3, 4, 10: mean = 20 / 5 = 4; median h = 4 × 0.5 = 2 → 3;
        // p95 h = 4 × 0.95 = 3.8 → x[3] + 0.8 (x[4] − x[3]) = 4 + 0.8 × 6 = 8.8; max 10
        var s = ConcentrationStatistics.Of([At(0, 4), At(1, 1), At(2, 10), At(3, 2), At(4, 3)])!;

        Assert.Equal(4, s.MeanUgM3, 9);
        Assert.Equal(3, s.MedianUgM3, 9);
        Assert.Equal(8.8, s.P95UgM3, 9);
        Assert.Equal(10, s.MaxUgM3);
        Assert.Equal(From.AddMinutes(2), s.MaxAt);
    }

    [Fact]
    public void No_readings_give_no_statistics_rather_than_zeros() =>
        Assert.Null(ConcentrationStatistics.Of([]));
}
