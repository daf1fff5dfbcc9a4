using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Tests.Ingest;

public class DeliveryTrackerTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Gaps_and_duplicates_are_reported_per_stream()
    {
        var tracker = new DeliveryTracker();
        Assert.Equal(0, tracker.Record("s", "d", "st1", [1, 2, 3, 4, 5], T));
        Assert.Equal(0, tracker.Record("s", "d", "st1", [9, 10], T));
        Assert.Equal(2, tracker.Record("s", "d", "st1", [4, 5, 6], T)); // replay of 4 and 5
        tracker.Record("s", "d", "st2", [1], T);                          // a new buffer: its own stream

        var st1 = tracker.Summary().Single(x => x.Stream == "st1");
        Assert.Equal((8L, 2L, 10L, 2L), (st1.Received, st1.Duplicates, st1.HighestSeq, st1.Missing));
        Assert.Equal([(7L, 8L)], st1.Gaps);
        Assert.Equal(0, tracker.Summary().Single(x => x.Stream == "st2").Missing);
    }

    [Fact]
    public void Out_of_order_arrival_fills_gaps_and_merges_ranges()
    {
        var tracker = new DeliveryTracker();
        tracker.Record("s", "d", "st", [100, 101], T); // live lane first after an outage
        tracker.Record("s", "d", "st", Enumerable.Range(1, 99).Select(i => (long)i), T);
        var summary = tracker.Summary().Single();
        Assert.Equal((101L, 0L, 0L), (summary.Received, summary.Missing, summary.Duplicates));
    }

    [Fact]
    public void Account_is_restored_from_the_compact_ranges_of_the_delivery_measurement()
    {
        var restored = new DeliveryTracker();
        restored.Restore("s", "d", "st", "1-3,5,7-8", duplicates: 4, evicted: 1, T);
        var summary = restored.Summary().Single();
        Assert.Equal((6L, 4L, 1L, 2L), (summary.Received, summary.Duplicates, summary.Evicted, summary.Missing));
    }
}
