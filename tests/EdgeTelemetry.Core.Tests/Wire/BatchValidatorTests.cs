using System.Text;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Core.Tests.Wire;

public class BatchValidatorTests
{
    private const string Topic = "edgetelemetry/v1/site-a/dev-1/telemetry";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowNs = Time.ToUnixNanoseconds(Now);
    private static readonly ValidationLimits Limits = new();

    private static string Batch(string samples, string device = "dev-1", int version = 1) =>
        $$"""{"v":{{version}},"site":"site-a","device":"{{device}}","stream":"s1","agent":"0.1.0","samples":[{{samples}}]}""";

    private static string Sample(long seq, long t, string readings = """{"n":"bowl_speed","v":400,"u":"rpm"}""", string m = "centrifuge") =>
        $$"""{"seq":{{seq}},"t":{{t}},"m":"{{m}}","eq":"icon-1","r":[{{readings}}]}""";

    private static ValidatedBatch Validate(string json, string topic = Topic) =>
        BatchValidator.Validate(topic, Encoding.UTF8.GetBytes(json), Now, Limits);

    [Fact]
    public void Valid_batch_accepts_every_sample()
    {
        var result = Validate(Batch(Sample(1, NowNs) + "," + Sample(2, NowNs + 1000)));
        Assert.Empty(result.Rejections);
        Assert.Equal([1L, 2L], result.Accepted.Select(s => s.Seq));
        Assert.Equal(new DeviceTopic("site-a", "dev-1", TopicKind.Telemetry), result.Topic);
    }

    [Theory]
    [InlineData("""{"v":2,"site":"site-a","device":"dev-1","stream":"s1","samples":[]}""", RejectReason.UnsupportedVersion)]
    [InlineData("""{"v":1,"site":"site-a","device":"dev-9","stream":"s1","samples":[]}""", RejectReason.DeviceMismatch)]
    [InlineData("""{"v":1,"site":"site-a","device":"dev-1","stream":"s1","samples":[]}""", RejectReason.EmptyBatch)]
    [InlineData("""{"v":1,"site":"site-a","device":"dev-1","stream":"s 1","samples":[]}""", RejectReason.InvalidStream)]
    [InlineData("""not json""", RejectReason.MalformedJson)]
    [InlineData("""{"v":1,"bogus":1}""", RejectReason.UnknownField)]
    public void Message_level_problem_rejects_the_whole_message(string json, RejectReason reason)
    {
        var result = Validate(json);
        Assert.Empty(result.Accepted);
        Assert.Equal(reason, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void Oversized_payload_is_rejected_before_parsing()
    {
        var big = Batch(string.Join(",", Enumerable.Range(1, 3000).Select(i => Sample(i, NowNs + i))));
        var result = BatchValidator.Validate(Topic, Encoding.UTF8.GetBytes(big), Now, Limits with { MaxPayloadBytes = 1000 });
        Assert.Equal(RejectReason.Oversized, Assert.Single(result.Rejections).Reason);
        Assert.Contains("limit is 1000", result.Rejections[0].Detail);
    }

    [Theory]
    [InlineData("edgetelemetry/v1/site-a/dev-1/status")]
    [InlineData("edgetelemetry/v2/site-a/dev-1/telemetry")]
    [InlineData("edgetelemetry/v1/Site A/dev-1/telemetry")]
    public void Topic_outside_the_namespace_is_rejected(string topic)
    {
        Assert.Equal(RejectReason.BadTopic, Assert.Single(Validate(Batch(Sample(1, NowNs)), topic).Rejections).Reason);
    }

    [Theory]
    [InlineData("""{"n":"bowl_speed","v":"NaN","u":"rpm"}""", RejectReason.NonFiniteValue)]
    [InlineData("""{"n":"bowl_speed","v":"Infinity","u":"rpm"}""", RejectReason.NonFiniteValue)]
    [InlineData("""{"n":"bowl_speed","v":1,"u":"furlongs"}""", RejectReason.UnknownUnit)]
    [InlineData("""{"n":"bowl_speed","v":1,"u":"Hz"}""", RejectReason.UnitMismatch)]
    [InlineData("""{"n":"Bowl Speed","v":1,"u":"rpm"}""", RejectReason.InvalidName)]
    [InlineData("""{"n":"seq","v":1,"u":"count"}""", RejectReason.InvalidName)]
    public void Sample_level_problem_rejects_only_that_sample(string badReading, RejectReason reason)
    {
        var result = Validate(Batch(Sample(1, NowNs) + "," + Sample(2, NowNs + 1, badReading) + "," + Sample(3, NowNs + 2)));
        Assert.Equal([1L, 3L], result.Accepted.Select(s => s.Seq));
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal((reason, 2L), (rejection.Reason, rejection.Seq));
    }

    [Fact]
    public void Timestamps_before_2000_or_far_in_the_future_are_rejected()
    {
        var before2000 = Time.EarliestPlausibleNs - 1;
        var tooFar = NowNs + (long)Limits.MaxFutureSkew.TotalMilliseconds * 1_000_000 + 1;
        var result = Validate(Batch(Sample(1, before2000) + "," + Sample(2, tooFar) + "," + Sample(3, NowNs)));
        Assert.Equal([3L], result.Accepted.Select(s => s.Seq));
        Assert.All(result.Rejections, r => Assert.Equal(RejectReason.TimestampOutOfRange, r.Reason));
        Assert.Equal(2, result.Rejections.Count);
    }

    [Theory]
    [InlineData("""{"v":1,"site":"site-a","device":"dev-1","stream":"abc\n","samples":[]}""", RejectReason.InvalidStream)]
    [InlineData("""{"v":1,"site":"site-a","device":"dev-1\n","stream":"s1","samples":[]}""", RejectReason.DeviceMismatch)]
    public void An_id_with_a_trailing_newline_is_refused_at_the_true_end_of_the_string(string json, RejectReason reason)
    {
        var result = Validate(json);
        Assert.Empty(result.Accepted);
        Assert.Equal(reason, Assert.Single(result.Rejections).Reason);
    }

    [Theory]
    [InlineData(@"centrifuge\n")] // JSON escapes, decoded to a real line break
    [InlineData(@"centrifuge\r")]
    public void A_measurement_or_equipment_with_a_trailing_line_break_is_refused(string name)
    {
        var result = Validate(Batch(Sample(1, NowNs, m: name) + "," + Sample(2, NowNs).Replace("icon-1", name)));
        Assert.Empty(result.Accepted);
        Assert.All(result.Rejections, r => Assert.Equal(RejectReason.InvalidName, r.Reason));
        Assert.False(Topics.IsValidId("site-a\n"));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(9007199254740993L)]
    [InlineData(long.MaxValue)]
    public void A_sequence_number_outside_1_to_2_pow_53_is_refused_and_not_accounted(long seq)
    {
        var result = Validate(Batch(Sample(seq, NowNs) + "," + Sample(5, NowNs)));
        Assert.Equal([5L], result.Accepted.Select(s => s.Seq));
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal((RejectReason.InvalidSequence, (long?)null), (rejection.Reason, rejection.Seq));
        Assert.Single(Validate(Batch(Sample(BatchValidator.MaxSeq, NowNs))).Accepted);
    }

    [Theory]
    [InlineData("process_batch")]
    [InlineData("rejects")]
    [InlineData("delivery")]
    [InlineData("device_status")]
    public void A_device_cannot_write_the_services_own_measurements(string measurement)
    {
        var result = Validate(Batch(Sample(1, NowNs, m: measurement)));
        Assert.Empty(result.Accepted);
        Assert.Equal(RejectReason.ReservedMeasurement, Assert.Single(result.Rejections).Reason);
    }

    [Fact]
    public void A_measurement_outside_the_catalogue_needs_to_be_allowed_on_the_central_side()
    {
        var json = Batch(Sample(1, NowNs, m: "sluice_camera", readings: """{"n":"frames","v":3,"u":"1"}"""));
        Assert.Equal(RejectReason.UnknownMeasurement, Assert.Single(Validate(json).Rejections).Reason);
        var allowed = BatchValidator.Validate(Topic, Encoding.UTF8.GetBytes(json), Now, Limits with { AdditionalMeasurements = new HashSet<string> { "sluice_camera" } });
        Assert.Single(allowed.Accepted);
        foreach (var m in Measurements.DeviceWritable)
            Assert.DoesNotContain(Validate(Batch(Sample(1, NowNs, m: m))).Rejections, r => r.Reason is RejectReason.UnknownMeasurement or RejectReason.ReservedMeasurement);
    }

    [Fact]
    public void A_null_sample_or_reading_is_refused_as_malformed_beside_the_good_samples()
    {
        var result = Validate(Batch("null," + Sample(2, NowNs, readings: "null") + "," + Sample(3, NowNs)));
        Assert.Equal([3L], result.Accepted.Select(s => s.Seq));
        Assert.Equal([RejectReason.MalformedJson, RejectReason.MalformedJson], result.Rejections.Select(r => r.Reason));
    }
}
