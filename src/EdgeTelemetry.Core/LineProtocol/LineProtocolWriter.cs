using System.Globalization;
using System.Text;

namespace EdgeTelemetry.LineProtocol;

/// <summary>
/// Serialises points to InfluxDB line protocol, escaping as the InfluxDB docs require:
/// measurement — comma and space; tag keys, tag values, field keys — comma, equals sign and space;
/// string field values — double quote and backslash, inside double quotes; integers end in <c>i</c>.
/// Line breaks and backslashes cannot round-trip in names or tags (checked against influxd 1.6)
/// and are refused; string fields carry both.
/// </summary>
public static class LineProtocolWriter
{
    public static string Write(IEnumerable<Point> points)
    {
        var sb = new StringBuilder();
        foreach (var p in points) Append(sb, p);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, Point point)
    {
        if (point.Fields.Count == 0) throw new ArgumentException($"point {point.Measurement} has no fields");
        AppendEscaped(sb, point.Measurement, escapeEquals: false, "measurement");
        foreach (var (key, value) in point.Tags)
        {
            sb.Append(',');
            AppendEscaped(sb, key, escapeEquals: true, "tag key");
            sb.Append('=');
            AppendEscaped(sb, value, escapeEquals: true, "tag value");
        }
        sb.Append(' ');
        for (var i = 0; i < point.Fields.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var (key, value) = point.Fields[i];
            AppendEscaped(sb, key, escapeEquals: true, "field key");
            sb.Append('=');
            AppendValue(sb, value);
        }
        sb.Append(' ').Append(point.TimestampNs.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void AppendValue(StringBuilder sb, FieldValue value)
    {
        switch (value.Value)
        {
            case double d:
                // "R" round-trips every double; line protocol accepts exponent notation.
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture)).Append('i');
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                sb.Append('"');
                foreach (var c in s)
                {
                    if (c is '"' or '\\') sb.Append('\\');
                    sb.Append(c);
                }
                sb.Append('"');
                break;
            default:
                throw new ArgumentException($"unsupported field value {value.Value?.GetType()}");
        }
    }

    private static void AppendEscaped(StringBuilder sb, string s, bool escapeEquals, string what)
    {
        if (s.Length == 0) throw new ArgumentException($"{what} is empty");
        foreach (var c in s)
        {
            if (c is '\n' or '\r') throw new ArgumentException($"{what} '{s}' contains a line break, which line protocol cannot carry");
            // InfluxDB 1.x keeps "\\" in a tag literally and reads "\," as an escaped comma, so a
            // backslash in a name or tag cannot round-trip; our ids never contain one.
            if (c == '\\') throw new ArgumentException($"{what} '{s}' contains a backslash, which does not round-trip in names and tags");
            if (c is ',' or ' ' || (escapeEquals && c == '=')) sb.Append('\\');
            sb.Append(c);
        }
    }
}
