using System.Globalization;
using System.Text;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// Building blocks for InfluxQL text. Every id is validated before it gets here, but quoting is
/// still done properly: identifiers in double quotes, string literals in single quotes, with
/// backslash escapes as the InfluxQL scanner reads them.
/// </summary>
public static class InfluxQl
{
    /// <summary>A quoted identifier (measurement, tag key, field key).</summary>
    public static string Ident(string name) => "\"" + Escape(name, '"') + "\"";

    /// <summary>A quoted string literal (tag value, string field value).</summary>
    public static string Str(string value) => "'" + Escape(value, '\'') + "'";

    /// <summary>An absolute time as InfluxQL reads a bare integer in a time condition: Unix nanoseconds.</summary>
    public static string Time(DateTimeOffset t) => Model.Time.ToUnixNanoseconds(t).ToString(CultureInfo.InvariantCulture);

    public static string Time(long unixNs) => unixNs.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>time &gt;= from AND time &lt; to</c>: half-open, so adjacent periods never count a point twice.</summary>
    public static string Period(DateTimeOffset from, DateTimeOffset to) => $"time >= {Time(from)} AND time < {Time(to)}";

    /// <summary><c>"key" = 'value'</c>.</summary>
    public static string TagEquals(string key, string value) => $"{Ident(key)} = {Str(value)}";

    /// <summary>A duration literal in whole seconds (InfluxQL accepts <c>90s</c> for any length).</summary>
    public static string Duration(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static string Escape(string s, char quote)
    {
        if (s.Contains('\n') || s.Contains('\r')) throw new ArgumentException("InfluxQL names and literals cannot hold line breaks", nameof(s));
        var sb = new StringBuilder(s.Length + 4);
        foreach (var c in s)
        {
            if (c == '\\' || c == quote) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
