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
    public const string Measurement = Model.Measurements.Rejects;
    private const int PayloadExcerptBytes = 512;
    private static long _lastNs;

    /// <summary>Longest string field written: InfluxDB 1.x refuses string fields over 64 KiB.</summary>
    private const int MaxStringField = 60_000;

    /// <param name="fullPayload">Keep the whole payload (base64 in <c>payload_b64</c>, split into
    /// <c>payload_b64_1</c>… beyond 60 000 characters): for messages ingest could not handle, so they can be replayed.</param>
    public static Point ToPoint(Rejection rejection, string topic, DeviceTopic? device, string? stream, ReadOnlySpan<byte> payload, DateTimeOffset receivedAt, bool fullPayload = false)
    {
        var point = new Point(Measurement, UniqueTimestamp(receivedAt))
            .Tag("site", device?.Site ?? "unknown")
            .Tag("device", device?.Device ?? "unknown")
            .Tag("reason", rejection.Code)
            .Field("topic", Printable(topic.Length <= 256 ? topic : topic[..256]))
            .Field("detail", Printable(rejection.Detail.Length <= 4096 ? rejection.Detail : rejection.Detail[..4096] + "…"));
        if (rejection.Seq is { } seq) point.Field("seq", seq);
        if (stream is not null) point.Field("stream", stream);
        if (rejection.Seq is null)
        {
            var excerpt = payload.Length <= PayloadExcerptBytes ? payload : payload[..PayloadExcerptBytes];
            point.Field("payload_excerpt", Printable(Encoding.UTF8.GetString(excerpt)));
        }
        if (fullPayload)
        {
            var b64 = Convert.ToBase64String(payload);
            point.Field("payload_bytes", (long)payload.Length);
            for (int i = 0, part = 0; i < b64.Length || part == 0; i += MaxStringField, part++)
                point.Field(part == 0 ? "payload_b64" : $"payload_b64_{part}", b64.Substring(i, Math.Min(MaxStringField, b64.Length - i)));
        }
        return point;
    }

    /// <summary>Control characters shown as \uXXXX: a raw line break would end the line-protocol line.</summary>
    public static string Printable(string s)
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
