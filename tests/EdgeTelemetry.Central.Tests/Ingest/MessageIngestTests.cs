using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTelemetry.Central.Tests.Ingest;

/// <summary>
/// The one ingest core takes a batch through the transcoder when it can and through the validator when the batch
/// needs more than its lines: what it prepares must be the same either way, flags and accounting included.
/// </summary>
public class MessageIngestTests
{
    private const string Topic = "edgetelemetry/v1/site-a/dev-1/telemetry";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowNs = Time.ToUnixNanoseconds(Now);

    private static (MessageIngest Core, IngestMetrics Metrics, DeliveryTracker Delivery) Core()
    {
        var metrics = new IngestMetrics();
        var delivery = new DeliveryTracker();
        return (new MessageIngest(metrics, delivery, new IngestOptions(), NullLogger.Instance), metrics, delivery);
    }

    private static byte[] Batch(long? sentNs, params Sample[] samples) =>
        BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", "s-1", "0.1.0", samples, sentNs));

    private static Sample Centrifuge(long seq) =>
        new(seq, NowNs - 1_000_000_000L + seq, "centrifuge", "icon-1", [new Reading("bowl_speed", 400.5, Units.Rpm)]);

    [Fact]
    public void A_plain_batch_is_stored_with_its_delivery_record_and_receipt_ranges()
    {
        var (core, _, delivery) = Core();
        using var prepared = core.Prepare(Topic, Batch(NowNs, Centrifuge(1), Centrifuge(2), Centrifuge(4)), Now);

        var lines = prepared.Lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, prepared.Accepted);
        Assert.Equal(4, prepared.PointCount);
        Assert.Equal(3, lines.Count(l => l.StartsWith("centrifuge,device=dev-1,equipment=icon-1,site=site-a bowl_speed=400.5,seq=", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.StartsWith("delivery,", StringComparison.Ordinal) && l.Contains("ranges=\"1-2,4\"", StringComparison.Ordinal));
        Assert.DoesNotContain("clock_skew", prepared.Lines.ToString());
        Assert.Equal([(1L, 2L), (4L, 4L)], prepared.StoredSeqs);
        Assert.Empty(prepared.RejectedSeqs);
        Assert.True(delivery.Has("site-a", "dev-1", "s-1", 4));
    }

    [Fact]
    public void A_batch_from_a_device_clock_far_from_ours_has_every_point_flagged()
    {
        var (core, metrics, _) = Core();
        using var prepared = core.Prepare(Topic, Batch(NowNs - 3_600_000_000_000L, Centrifuge(1), Centrifuge(2)), Now);

        var points = prepared.Lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("centrifuge,", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, points.Count);
        Assert.All(points, p => Assert.Contains(",clock_skew=3600", p));
        Assert.Contains("edgetelemetry_clock_skewed_samples_total 2\n", metrics.ToPrometheusText());
    }

    [Fact]
    public void An_eviction_record_is_counted_once_even_when_it_arrives_again()
    {
        var (core, _, delivery) = Core();
        var eviction = new Sample(1, NowNs - 1000, Measurements.BufferEviction, "agent", [new Reading("evicted", 250, Units.Count)]);
        core.Prepare(Topic, Batch(NowNs, eviction, Centrifuge(2)), Now).Dispose();
        core.Prepare(Topic, Batch(NowNs, eviction, Centrifuge(2)), Now).Dispose();

        var stream = Assert.Single(delivery.Summary());
        Assert.Equal(250, stream.Evicted);
    }

    [Fact]
    public void A_batch_with_one_bad_sample_stores_the_rest_and_dead_letters_that_one()
    {
        var (core, _, _) = Core();
        var bad = new Sample(2, NowNs, "centrifuge", "icon-1", [new Reading("bowl_speed", 1, Units.Hertz)]);
        using var prepared = core.Prepare(Topic, Batch(NowNs, Centrifuge(1), bad, Centrifuge(3)), Now);

        Assert.Equal(2, prepared.Accepted);
        Assert.Equal(RejectReason.UnitMismatch, Assert.Single(prepared.Rejections).Reason);
        Assert.Equal([(1L, 1L), (3L, 3L)], prepared.StoredSeqs);
        Assert.Equal([(2L, 2L)], prepared.RejectedSeqs);
    }
}
