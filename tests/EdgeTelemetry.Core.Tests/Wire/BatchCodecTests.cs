using System.Text;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Core.Tests.Wire;

public class BatchCodecTests
{
    private static readonly long T0 = Time.ToUnixNanoseconds(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)) + 123_456_789;

    [Fact]
    public void Encoded_batch_decodes_to_the_same_samples_with_nanosecond_timestamps()
    {
        var samples = new[]
        {
            new Sample(7, T0, "centrifuge", "icon-1", [new Reading("bowl_speed", 401.25, Units.Rpm), new Reading("bowl_g", 68.6, Units.GForce)]),
            new Sample(8, T0 + 1, "centrifuge", "icon-1", [new Reading("bowl_speed", 0.1 + 0.2, Units.Rpm)]),
        };
        var bytes = BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", "abc123", "0.1.0", samples));

        var decoded = BatchCodec.TryDecode(bytes, out var error);

        Assert.Null(error);
        Assert.NotNull(decoded);
        Assert.Equal(("site-a", "dev-1", "abc123", 1), (decoded.Site, decoded.Device, decoded.Stream, decoded.Version));
        Assert.Equal([7L, 8L], decoded.Samples!.Select(s => s.Seq));
        Assert.Equal(T0 + 1, decoded.Samples![1].TimestampNs);
        Assert.Equal(0.1 + 0.2, decoded.Samples![1].Readings![0].Value); // doubles round-trip exactly
    }

    [Fact]
    public void Unknown_member_is_classified_as_unknown_field()
    {
        var json = """{"v":1,"site":"s","device":"d","stream":"x","samples":[],"extra":true}""";
        Assert.Null(BatchCodec.TryDecode(Encoding.UTF8.GetBytes(json), out var error));
        Assert.Equal(RejectReason.UnknownField, error!.Reason);
        Assert.Contains("extra", error.Detail);
    }

    [Fact]
    public void Truncated_json_is_classified_as_malformed_with_position()
    {
        Assert.Null(BatchCodec.TryDecode(Encoding.UTF8.GetBytes("""{"v":1,"site":"s","""), out var error));
        Assert.Equal(RejectReason.MalformedJson, error!.Reason);
        Assert.Contains("BytePositionInLine", error.Detail);
    }
}
