using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Tests.Ingest;

/// <summary>What counts as repeating stored content and what as changing it, as InfluxDB answers (issue 14).</summary>
public class ReplayGuardTests
{
    private const long T = 1_765_000_000_000_000_000;
    private static readonly Sample Offered = new(7, T, "mercury_vapour", "hg-1", [new Reading("hg", 5.0, Units.MicrogramPerCubicMetre), new Reading("temp", 0.1 + 0.2, Units.Celsius)]);

    private static StoredPoint Stored(params (string Name, object Value)[] fields) =>
        new("mercury_vapour", "hg-1", T, fields.ToDictionary(f => f.Name, f => f.Value));

    [Fact]
    public void Identical_content_is_a_duplicate_even_when_a_whole_float_comes_back_as_an_integer_and_the_service_flagged_clock_skew()
    {
        Assert.Null(ReplayGuard.Compare(Offered, [Stored(("hg", 5L), ("temp", 0.1 + 0.2), ("seq", 7L), ("clock_skew", 612.5))], seqArrived: true));
    }

    [Theory]
    [InlineData("value")]
    [InlineData("last bit")]
    [InlineData("seq")]
    [InlineData("added field")]
    [InlineData("missing field")]
    [InlineData("string")]
    public void Any_difference_in_stored_fields_is_a_conflict(string change)
    {
        (string, object)[] fields = change switch
        {
            "value" => [("hg", 4.0), ("temp", 0.1 + 0.2), ("seq", 7L)],
            "last bit" => [("hg", 5L), ("temp", 0.3), ("seq", 7L)],
            "seq" => [("hg", 5L), ("temp", 0.1 + 0.2), ("seq", 8L)],
            "added field" => [("hg", 5L), ("temp", 0.1 + 0.2), ("seq", 7L), ("wind", 1.0)],
            "missing field" => [("hg", 5L), ("seq", 7L)],
            _ => [("hg", "5"), ("temp", 0.1 + 0.2), ("seq", 7L)],
        };
        var conflict = ReplayGuard.Compare(Offered, [Stored(fields)], seqArrived: false);
        Assert.NotNull(conflict);
        Assert.Same(Offered, conflict.Offered);
        Assert.Single(conflict.Stored);
    }

    [Fact]
    public void No_stored_point_is_a_new_point_unless_the_seq_of_this_stream_arrived_before()
    {
        Assert.Null(ReplayGuard.Compare(Offered, [], seqArrived: false));
        Assert.Empty(ReplayGuard.Compare(Offered, [], seqArrived: true)!.Stored);
    }

    [Fact]
    public void A_batch_is_fresh_only_when_its_seqs_are_new_to_the_stream_and_its_samples_follow_the_latest_stored()
    {
        var delivery = new DeliveryTracker();
        var guard = new ReplayGuard(null!, delivery, []);
        Assert.False(guard.IsFresh("s", "d", "a", [(1, 5)], T, T)); // device not known yet: ask InfluxDB first
        delivery.RaiseLatestStored("s", "d", long.MinValue);
        Assert.True(guard.IsFresh("s", "d", "a", [(1, 5)], T, T));
        delivery.Record("s", "d", "a", [(1, 5)], DateTimeOffset.UnixEpoch);
        delivery.RaiseLatestStored("s", "d", T);
        Assert.False(guard.IsFresh("s", "d", "a", [(5, 9)], T + 1, T + 1)); // seq 5 arrived
        Assert.False(guard.IsFresh("s", "d", "b", [(1, 1)], T, T));         // a new stream reaching back to stored time
        Assert.True(guard.IsFresh("s", "d", "a", [(6, 9)], T + 1, T + 1));
    }

    [Fact]
    public void New_seqs_that_fit_in_time_between_the_stored_runs_of_their_stream_are_fresh_and_new_seqs_with_stored_times_are_not()
    {
        const long S = 1_000_000_000;
        var delivery = new DeliveryTracker();
        var guard = new ReplayGuard(null!, delivery, []);
        // Seqs 1–100 at T..T+99 s and 201–300 at T+200..T+299 s are stored (a backlog 101–200 still to come).
        foreach (var (from, to) in new[] { (1L, 100L), (201L, 300L) })
        {
            delivery.Record("s", "d", "a", [(from, to)], DateTimeOffset.UnixEpoch);
            guard.Stored("s", "d", "a", [(from, to)], T + (from - 1) * S, T + (to - 1) * S);
        }
        delivery.RaiseLatestStored("s", "d", T + 299 * S);

        Assert.True(guard.IsFresh("s", "d", "a", [(101, 150)], T + 100 * S, T + 149 * S));  // the backlog, or a late batch
        Assert.False(guard.IsFresh("s", "d", "a", [(101, 150)], T + 50 * S, T + 60 * S));   // new seqs carrying stored times
        Assert.False(guard.IsFresh("s", "d", "a", [(151, 250)], T + 150 * S, T + 249 * S)); // reaches into a stored run
        Assert.False(guard.IsFresh("s", "d", "a", [(301, 310)], T + 10 * S, T + 20 * S));   // after the last run, in its past
        Assert.True(guard.IsFresh("s", "d", "a", [(301, 310)], T + 300 * S, T + 309 * S));
        Assert.False(guard.IsFresh("s", "d", "b", [(1, 10)], T + 150 * S, T + 160 * S));    // another stream within this one's time
        guard.Stored("s", "d", "a", [(101, 200)], T + 100 * S, T + 199 * S);                 // the gap filled: one run
        Assert.False(guard.IsFresh("s", "d", "a", [(1000, 1001)], T + 120 * S, T + 121 * S));
    }
}
