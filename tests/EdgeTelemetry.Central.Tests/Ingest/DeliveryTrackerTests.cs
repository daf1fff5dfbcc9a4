using System.Diagnostics;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Tests.Ingest;

public class DeliveryTrackerTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static List<(long, long)> R(params long[] seqs) => SeqRanges.FromUnordered(seqs);

    [Fact]
    public void Gaps_and_duplicates_are_reported_per_stream()
    {
        var tracker = new DeliveryTracker();
        Assert.Equal(0, tracker.Record("s", "d", "st1", R(1, 2, 3, 4, 5), T));
        Assert.Equal(0, tracker.Record("s", "d", "st1", R(9, 10), T));
        Assert.Equal(2, tracker.Record("s", "d", "st1", R(4, 5, 6), T)); // replay of 4 and 5
        tracker.Record("s", "d", "st2", R(1), T);                          // a new buffer: its own stream

        var st1 = tracker.Summary().Single(x => x.Stream == "st1");
        Assert.Equal((8L, 2L, 10L, 2L), (st1.Received, st1.Duplicates, st1.HighestSeq, st1.Missing));
        Assert.Equal([(7L, 8L)], st1.Gaps);
        Assert.Equal(0, tracker.Summary().Single(x => x.Stream == "st2").Missing);
    }

    [Fact]
    public void Gaps_the_device_still_holds_are_in_flight_and_only_the_rest_beyond_its_evictions_is_missing()
    {
        var tracker = new DeliveryTracker();
        tracker.Record("s", "d", "st", R(1, 2, 6, 7, 12, 13, 20), T); // gaps 3-5, 8-11, 14-19
        tracker.RecordEviction("s", "d", "st", 2);
        var before = tracker.Summary().Single();
        Assert.Equal((13L, (long?)null, 11L), (before.Missing, before.InFlight, before.UnexplainedMissing)); // no word from the device yet

        // The device holds 9 without a receipt, the oldest seq 10: gaps 10-11 and 14-19 are on their way.
        tracker.RecordHeld("s", "d", "st", reportSeq: 20, held: 9, oldestSeq: 10);
        tracker.RecordHeld("s", "d", "st", reportSeq: 7, held: 50, oldestSeq: 3);  // an older report, replayed: ignored
        var after = tracker.Summary().Single();

        Assert.Equal((13L, (long?)9, 3L + 2 - 2), (after.Missing, after.InFlight, after.UnexplainedMissing)); // 3-5, 8-9 not held, 2 evicted
    }

    [Fact]
    public void Out_of_order_arrival_fills_gaps_and_merges_ranges()
    {
        var tracker = new DeliveryTracker();
        tracker.Record("s", "d", "st", R(100, 101), T); // live lane first after an outage
        tracker.Record("s", "d", "st", R(Enumerable.Range(1, 99).Select(i => (long)i).ToArray()), T);
        var summary = tracker.Summary().Single();
        Assert.Equal((101L, 0L, 0L), (summary.Received, summary.Missing, summary.Duplicates));
    }

    [Fact]
    public void Account_is_restored_from_the_compact_ranges_of_the_delivery_measurement()
    {
        var restored = new DeliveryTracker();
        Assert.True(SeqRanges.TryParse("1-3,5,7-8", BatchValidator.MaxSeq, 100, out var ranges));
        restored.Merge(new DeliveryRecord("s", "d", "st", ranges, T, Evicted: 1)); // a record from before runs: added
        Assert.True(SeqRanges.TryParse("2-5", BatchValidator.MaxSeq, 100, out var replay));
        restored.Merge(new DeliveryRecord("s", "d", "st", replay, T));
        var summary = restored.Summary().Single();
        Assert.Equal((7L, 3L, 1L, 1L), (summary.Received, summary.Duplicates, summary.Evicted, summary.Missing));
    }

    [Fact]
    public void Records_of_two_instances_merged_in_any_order_or_twice_give_one_account()
    {
        DeliveryTracker a = new(run: "a"), b = new(run: "b");
        var records = new List<DeliveryRecord>();
        void Live(DeliveryTracker t, long evicted, params long[] seqs)
        {
            var ranges = R(seqs);
            t.Record("s", "d", "st", ranges, T);
            if (evicted > 0) t.RecordEviction("s", "d", "st", evicted);
            var (arrived, evictedTotal) = t.Totals("s", "d", "st");
            records.Add(new DeliveryRecord("s", "d", "st", ranges, T, evicted, t.Run, arrived, evictedTotal));
        }
        Live(a, 0, 1, 2, 3);
        Live(b, 0, 4, 5, 6);
        Live(a, 0, 7, 8);
        Live(b, 0, 7, 8);      // redelivered to b after a was killed before its acknowledgement
        Live(b, 5, 10, 11);    // the device reports 5 evicted
        // Distinct 1-8, 10-11 = 10; arrivals 3+3+2+2+2 = 12: 2 duplicates; seq 9 missing.
        var expected = (10L, 2L, 1L, 5L);

        foreach (var order in new[] { records, Enumerable.Reverse(records).ToList(), records.Concat(records).ToList() })
        {
            var c = new DeliveryTracker(run: "c");
            foreach (var r in order) Assert.True(c.Merge(r));
            var s = c.Summary().Single();
            Assert.Equal(expected, (s.Received, s.Duplicates, s.Missing, s.Evicted));
        }
        // Each instance merging the other's records into its own live account agrees too.
        foreach (var (mine, others) in new[] { (a, "b"), (b, "a") })
        {
            foreach (var r in records.Where(r => r.Run == others)) mine.Merge(r);
            var s = mine.Summary().Single();
            Assert.Equal(expected, (s.Received, s.Duplicates, s.Missing, s.Evicted));
        }
    }

    [Fact]
    public void The_largest_sequence_number_costs_what_seq_1_costs_in_record_restore_and_summary()
    {
        var tracker = new DeliveryTracker();
        var watch = Stopwatch.StartNew();
        tracker.Record("s", "d", "st", R(1, BatchValidator.MaxSeq), T);
        tracker.Merge(new DeliveryRecord("s", "d", "st", [(1, BatchValidator.MaxSeq)], T, Run: tracker.Run, Arrived: BatchValidator.MaxSeq));
        var summary = tracker.Summary().Single();
        // Per-seq iteration over 2^53 would take years; ranges take microseconds. A minute is "never returned".
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1));
        Assert.Equal((BatchValidator.MaxSeq, BatchValidator.MaxSeq, 0L), (summary.HighestSeq, summary.Received, summary.Missing));
        Assert.Equal(0, summary.Duplicates); // restoring what is known is not a replay
    }

    [Fact]
    public void A_stream_that_would_exceed_its_range_bound_is_refused_and_left_as_it_was()
    {
        var tracker = new DeliveryTracker(new DeliveryLimits { MaxRangesPerStream = 3 });
        Assert.Equal(0, tracker.Record("s", "d", "st", R(1, 3, 5), T));
        Assert.Null(tracker.Record("s", "d", "st", R(7), T));
        Assert.Equal(0, tracker.Record("s", "d", "st", R(2), T)); // closing a gap is always possible
        Assert.Equal([(4L, 4L)], tracker.Summary().Single().Gaps);
    }

    [Fact]
    public void A_device_inventing_stream_ids_keeps_only_its_most_recent_streams()
    {
        var tracker = new DeliveryTracker(new DeliveryLimits { MaxStreamsPerDevice = 4 });
        for (var i = 0; i < 100; i++) tracker.Record("s", "d", $"st{i}", R(1), T.AddSeconds(i));
        tracker.Record("s", "other", "st", R(1), T);
        Assert.Equal(["st96", "st97", "st98", "st99"], tracker.Summary().Where(x => x.Device == "d").Select(x => x.Stream).Order());
        Assert.Single(tracker.Summary(), x => x.Device == "other");
    }

    [Theory]
    [InlineData("")]
    [InlineData("1-x")]
    [InlineData("5-3")]
    [InlineData("0-3")]
    [InlineData("3,2")]
    [InlineData("1-9007199254740993")]
    [InlineData("-5")]
    public void Damaged_range_text_is_refused_without_an_exception(string text) =>
        Assert.False(SeqRanges.TryParse(text, BatchValidator.MaxSeq, 100, out _));
}
