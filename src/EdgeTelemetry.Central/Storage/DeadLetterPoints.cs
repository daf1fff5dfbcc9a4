using System.Text;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// The dead-letter store: each rejection becomes a point in the <c>rejects</c> measurement, beside
/// the data it concerns, so reports can list what was refused and why (docs/data-model.md).
/// </summary>
public static class DeadLetterPoints
{
    public const string Measurement = "rejects";
    private const int PayloadExcerptBytes = 512;
    private static long _lastNs;

    public static Point ToPoint(Rejection rejection, string topic, DeviceTopic? device, string? stream, ReadOnlySpan<byte> payload, DateTimeOffset receivedAt)
    {
        var point = new Point(Measurement, UniqueTimestamp(receivedAt))
            .Tag("site", device?.Site ?? "unknown")
            .Tag("device", device?.Device ?? "unknown")
            .Tag("reason", rejection.Code)
            .Field("topic", Printable(topic.Length <= 256 ? topic : topic[..256]))
            .Field("detail", Printable(rejection.Detail));
        if (rejection.Seq is { } seq) point.Field("seq", seq);
        if (stream is not null) point.Field("stream", stream);
        if (rejection.Seq is null)
        {
            var excerpt = payload.Length <= PayloadExcerptBytes ? payload : payload[..PayloadExcerptBytes];
            point.Field("payload_excerpt", Printable(Encoding.UTF8.GetString(excerpt)));
        }
        return point;
    }

    /// <summary>Control characters shown as \uXXXX: a raw line break would end the line-protocol line.</summary>
    private static string Printable(string s)
    {
        if (!s.Any(char.IsControl)) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (var c in s) sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return sb.ToString();
    }

    /// <summary>Distinct timestamps, so two service points of the same series in one tick do not overwrite each other.</summary>
    public static long UniqueTimestamp(DateTimeOffset at)
    {
        var ns = Time.ToUnixNanoseconds(at);
        while (true)
        {
            var last = Interlocked.Read(ref _lastNs);
            var next = Math.Max(ns, last + 1);
            if (Interlocked.CompareExchange(ref _lastNs, next, last) == last) return next;
        }
    }
}
