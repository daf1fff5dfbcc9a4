using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
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

    [Fact]
    public void A_v2_batch_after_its_dictionary_is_stored_as_the_same_batch_in_v1_would_be()
    {
        var (core, _, delivery) = Core();
        var samples = new[] { Centrifuge(1), Centrifuge(2), new Sample(3, NowNs - 10, "centrifuge", "icon-1", [new Reading("bowl_speed", Math.PI, Units.Rpm), new Reading("bowl_g", 68.25, Units.GForce)]) };
        var encoder = new WireV2Encoder("s-1", "0.1.0");
        var v2 = encoder.Encode(samples, NowNs, out var changed);
        Assert.True(changed);

        using (var dictionary = core.Prepare(Topics.DictionaryFor("site-a", "dev-1", encoder.DictionaryId), encoder.DictionaryPayload, Now))
            Assert.Equal((0, 0), (dictionary.PointCount, dictionary.Rejections.Count));
        using var fromV2 = core.Prepare(Topic, v2, Now);
        var (reference, _, _) = Core();
        using var fromV1 = reference.Prepare(Topic, Batch(NowNs, samples), Now);

        Assert.Equal(3, fromV2.Accepted);
        // The same points and delivery record; only the delivery record's run id and its place in the
        // tracker's own time order differ between the two cores.
        static string WithoutRun(string lines) => System.Text.RegularExpressions.Regex.Replace(lines, "run=\"[^\"]*\"(.*) \\d+\n", "run=$1\n");
        Assert.Equal(WithoutRun(fromV1.Lines.ToString()), WithoutRun(fromV2.Lines.ToString()));
        Assert.Equal(fromV1.StoredSeqs, fromV2.StoredSeqs);
        Assert.True(delivery.Has("site-a", "dev-1", "s-1", 3));
    }

    [Fact]
    public void A_v2_batch_before_its_dictionary_is_deferred_not_dead_lettered_and_a_forged_dictionary_is_refused()
    {
        var (core, metrics, delivery) = Core();
        var encoder = new WireV2Encoder("s-1", "0.1.0");
        var v2 = encoder.Encode([Centrifuge(1)], NowNs, out _);

        using (var early = core.Prepare(Topic, v2, Now))
        {
            Assert.Equal((0, 0, 0), (early.PointCount, early.Accepted, early.Rejections.Count));
            Assert.Empty(early.StoredSeqs);
            Assert.Empty(early.RejectedSeqs);
            // Its receipt asks for the dictionary and names the seqs to send again.
            Assert.Equal([(1L, 1L)], early.DeferredSeqs);
            Assert.Equal(encoder.DictionaryId, early.MissingDictionary);
            var (device, receipt) = Assert.Single(ReceiptPublisher.Build([early]));
            Assert.Equal(("dev-1", TopicKind.Receipts), (device.Device, device.Kind));
            Assert.Equal(("1", WireV2.TopicId(encoder.DictionaryId), null, null, null), (receipt.Deferred, receipt.Dictionary, receipt.Stream, receipt.Stored, receipt.Rejected));
        }
        Assert.Contains("edgetelemetry_deferred_total 1\n", metrics.ToPrometheusText());
        Assert.False(delivery.Has("site-a", "dev-1", "s-1", 1));

        // Published under another device's id: its content does not hash to that id.
        var other = new WireV2Encoder("s-2", "0.1.0");
        other.Encode([Centrifuge(1), new Sample(2, NowNs, "environment", "box", [new Reading("temperature", 25, Units.Celsius)])], null, out _);
        using (var forged = core.Prepare(Topics.DictionaryFor("site-a", "dev-1", encoder.DictionaryId), other.DictionaryPayload, Now))
            Assert.Equal(RejectReason.MalformedPayload, Assert.Single(forged.Rejections).Reason);

        using (core.Prepare(Topics.DictionaryFor("site-a", "dev-1", encoder.DictionaryId), encoder.DictionaryPayload, Now)) { }
        using var later = core.Prepare(Topic, v2, Now);
        Assert.Equal(1, later.Accepted);
        // Another device cannot use it: dictionaries are kept per (site, device).
        using var elsewhere = core.Prepare("edgetelemetry/v1/site-a/dev-2/telemetry", v2, Now);
        Assert.Equal(0, elsewhere.Accepted);
    }

    [Fact]
    public void A_device_keeps_its_newest_64_dictionaries_and_the_oldest_goes_while_other_devices_keep_theirs()
    {
        var (core, _, _) = Core();
        var encoders = Enumerable.Range(0, 66).Select(n => new WireV2Encoder($"s-{n}", "0.1.0")).ToList();
        var batches = encoders.Select(e => e.Encode([Centrifuge(1)], null, out _)).ToList();
        void Publish(string device, int n)
        {
            using var prepared = core.Prepare(Topics.DictionaryFor("site-a", device, encoders[n].DictionaryId), encoders[n].DictionaryPayload, Now);
            Assert.Empty(prepared.Rejections);
        }
        int Stored(string device, int n)
        {
            using var prepared = core.Prepare($"edgetelemetry/v1/site-a/{device}/telemetry", batches[n], Now);
            return prepared.Accepted;
        }
        for (var n = 0; n < 64; n++) Publish("dev-1", n);
        Publish("dev-1", 0); // the same one again (a retained re-delivery) is no new one
        Publish("dev-2", 0);
        Assert.Equal(1, Stored("dev-1", 0));

        Publish("dev-1", 64);
        Publish("dev-1", 65);

        Assert.Equal(0, Stored("dev-1", 0)); // evicted: deferred, and its receipt asks for it again
        Assert.Equal(0, Stored("dev-1", 1));
        Assert.Equal(1, Stored("dev-1", 2));
        Assert.Equal(1, Stored("dev-1", 65));
        Assert.Equal(1, Stored("dev-2", 0));
    }
}
