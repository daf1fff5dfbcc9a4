using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTelemetry.Central.Tests.Ingest;

public class ReceiptPublisherTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly MessageIngest _core = new(new IngestMetrics(), new DeliveryTracker(), new IngestOptions(), NullLogger.Instance);

    private PreparedMessage Message(string device, string stream, params (long Seq, double Value)[] samples)
    {
        var batch = BatchCodec.ToBatch("site-a", device, stream, "t", samples.Select(s =>
            new Sample(s.Seq, Time.ToUnixNanoseconds(T) + s.Seq, "centrifuge", "cf-1", [new Reading("bowl_speed", s.Value, Units.Rpm)])));
        return _core.Prepare($"edgetelemetry/v1/site-a/{device}/telemetry", BatchCodec.Encode(batch), T);
    }

    [Fact]
    public void One_receipt_per_device_stream_per_write_names_what_was_stored_and_what_was_dead_lettered()
    {
        var written = new[]
        {
            Message("d1", "s1", (1, 400), (2, 401), (3, double.NaN)),   // seq 3: a non-finite value, dead-lettered
            Message("d1", "s1", (4, 402), (5, 403)),
            Message("d2", "s9", (7, 400)),
            Message("d1", "s1", (2, 401)),                             // a replay: stays stored
        };

        var receipts = ReceiptPublisher.Build(written).ToDictionary(r => r.Device.Device, r => r.Receipt);

        Assert.Equal(2, receipts.Count);
        Assert.Equal(("s1", "1-2,4-5", "3"), (receipts["d1"].Stream, receipts["d1"].Stored, receipts["d1"].Rejected));
        Assert.Equal(("s9", "7", (string?)null), (receipts["d2"].Stream, receipts["d2"].Stored, receipts["d2"].Rejected));
        Assert.All(ReceiptPublisher.Build(written), r => Assert.Equal(TopicKind.Receipts, r.Device.Kind));
    }

    [Fact]
    public void Points_influxdb_refused_are_receipted_as_rejected_and_unattributable_messages_get_none()
    {
        var refused = Message("d1", "s1", (1, 400), (2, 401));
        refused.RefusedByDatabase = new Rejection(RejectReason.RejectedByDatabase, "field type conflict");
        var garbage = _core.Prepare("edgetelemetry/v1/site-a/d3/telemetry", "{not json"u8.ToArray(), T);
        var badTopic = _core.Prepare("somewhere/else", BatchCodec.Encode(BatchCodec.ToBatch("site-a", "d4", "s1", "t", [])), T);

        var receipt = Assert.Single(ReceiptPublisher.Build([refused, garbage, badTopic])).Receipt;

        Assert.Equal(((string?)null, "1-2"), (receipt.Stored, receipt.Rejected));
    }

    [Fact]
    public void A_message_refused_as_a_whole_dead_letters_every_sequence_number_it_carried()
    {
        var core = new MessageIngest(new IngestMetrics(), new DeliveryTracker(),
            new IngestOptions { KnownDevicesOnly = true, KnownDevices = ["site-a/d1"] }, NullLogger.Instance);
        var batch = BatchCodec.ToBatch("site-a", "d9", "s1", "t", [new Sample(5, Time.ToUnixNanoseconds(T), "centrifuge", "cf-1", [new Reading("bowl_speed", 1, Units.Rpm)]),
            new Sample(6, Time.ToUnixNanoseconds(T), "centrifuge", "cf-1", [new Reading("bowl_speed", 1, Units.Rpm)])]);

        var prepared = core.Prepare("edgetelemetry/v1/site-a/d9/telemetry", BatchCodec.Encode(batch), T);

        Assert.Equal(RejectReason.UnknownDevice, Assert.Single(prepared.Rejections).Reason);
        Assert.Equal("5-6", Assert.Single(ReceiptPublisher.Build([prepared])).Receipt.Rejected);
    }
}
