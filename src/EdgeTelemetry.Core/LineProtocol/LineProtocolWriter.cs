using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace EdgeTelemetry.LineProtocol;

/// <summary>
/// Serialises points to InfluxDB line protocol (UTF-8), escaping as the InfluxDB docs require:
/// measurement — comma and space; tag keys, tag values, field keys — comma, equals sign and space;
/// string field values — double quote and backslash, inside double quotes; integers end in <c>i</c>.
/// Line breaks and backslashes cannot round-trip in names or tags (checked against influxd 1.6)
/// and are refused; string fields carry both. Formats straight into a <see cref="LineBuffer"/>:
/// the ingest hot path allocates no strings per point.
/// </summary>
public static class LineProtocolWriter
{
    public static string Write(IEnumerable<Point> points)
    {
        using var buffer = new LineBuffer();
        foreach (var p in points) Append(buffer, p);
        return buffer.ToString();
    }

    /// <summary>Appends one line; on an invalid point throws <see cref="ArgumentException"/> and leaves the buffer as it was.</summary>
    public static void Append(LineBuffer buffer, Point point)
    {
        if (point.Fields.Count == 0) throw new ArgumentException($"point {point.Measurement} has no fields");
        var start = buffer.Length;
        try
        {
            AppendEscaped(buffer, point.Measurement, escapeEquals: false, "measurement");
            foreach (var (key, value) in point.Tags)
            {
                buffer.Write((byte)',');
                AppendEscaped(buffer, key, escapeEquals: true, "tag key");
                buffer.Write((byte)'=');
                AppendEscaped(buffer, value, escapeEquals: true, "tag value");
            }
            buffer.Write((byte)' ');
            for (var i = 0; i < point.Fields.Count; i++)
            {
                if (i > 0) buffer.Write((byte)',');
                var (key, value) = point.Fields[i];
                AppendEscaped(buffer, key, escapeEquals: true, "field key");
                buffer.Write((byte)'=');
                AppendValue(buffer, value);
            }
            buffer.Write((byte)' ');
            Utf8Formatter.TryFormat(point.TimestampNs, buffer.GetSpan(20), out var n);
            buffer.Advance(n);
            buffer.Write((byte)'\n');
        }
        catch
        {
            buffer.Truncate(start);
            throw;
        }
    }

    private static void AppendValue(LineBuffer buffer, FieldValue value)
    {
        switch (value.Kind)
        {
            case FieldKind.Float:
            {
                // "R" round-trips every double; line protocol accepts exponent notation.
                buffer.Advance(FloatText.Write(value.Float, buffer.GetSpan(32)));
                break;
            }
            case FieldKind.Integer:
            {
                Utf8Formatter.TryFormat(value.Integer, buffer.GetSpan(20), out var n);
                buffer.Advance(n);
                buffer.Write((byte)'i');
                break;
            }
            case FieldKind.Boolean:
                buffer.Write(value.Boolean ? "true"u8 : "false"u8);
                break;
            default:
            {
                var s = value.String.AsSpan();
                buffer.Write((byte)'"');
                while (s.Length > 0)
                {
                    var cut = s.IndexOfAny('"', '\\');
                    AppendUtf8(buffer, cut < 0 ? s : s[..cut]);
                    if (cut < 0) break;
                    buffer.Write((byte)'\\');
                    buffer.Write((byte)s[cut]);
                    s = s[(cut + 1)..];
                }
                buffer.Write((byte)'"');
                break;
            }
        }
    }

    private static void AppendEscaped(LineBuffer buffer, string s, bool escapeEquals, string what)
    {
        if (s.Length == 0) throw new ArgumentException($"{what} is empty");
        var span = s.AsSpan();
        // InfluxDB 1.x keeps "\\" in a tag literally and reads "\," as an escaped comma, so a
        // backslash in a name or tag cannot round-trip; our ids never contain one.
        var bad = span.IndexOfAny('\n', '\r', '\\');
        if (bad >= 0)
            throw new ArgumentException(span[bad] == '\\'
                ? $"{what} '{s}' contains a backslash, which does not round-trip in names and tags"
                : $"{what} '{s}' contains a line break, which line protocol cannot carry");
        while (span.Length > 0)
        {
            var cut = escapeEquals ? span.IndexOfAny(',', ' ', '=') : span.IndexOfAny(',', ' ');
            AppendUtf8(buffer, cut < 0 ? span : span[..cut]);
            if (cut < 0) break;
            buffer.Write((byte)'\\');
            buffer.Write((byte)span[cut]);
            span = span[(cut + 1)..];
        }
    }

    private static void AppendUtf8(LineBuffer buffer, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var n = Encoding.UTF8.GetBytes(chars, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length)));
        buffer.Advance(n);
    }
}
