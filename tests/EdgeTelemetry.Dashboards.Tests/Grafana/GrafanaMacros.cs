using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeTelemetry.Dashboards.Tests.Grafana;

/// <summary>The value a template variable has when a query runs. <paramref name="RegexFormat"/> is
/// Grafana's rule for InfluxDB: multi-value or include-All variables are regex-escaped and joined
/// as <c>(a|b)</c>, which is why queries use them only as <c>=~ /^$var$/</c>.</summary>
public sealed record VariableValue(IReadOnlyList<string> Values, bool RegexFormat);

/// <summary>
/// Substitutes what Grafana's InfluxDB data source substitutes before sending an InfluxQL query:
/// <c>$timeFilter</c> (the absolute form, <c>time &gt;= {from}ms and time &lt;= {to}ms</c>),
/// <c>$__interval</c>, <c>$__interval_ms</c>, <c>$__range</c>, <c>$__range_s</c>, <c>$__range_ms</c>,
/// <c>$__from</c>, <c>$__to</c>, and template variables written <c>$name</c>, <c>${name}</c> or
/// <c>${name:regex}</c>. Anything else that looks like a variable is an error, so a typo in a
/// dashboard fails the test instead of reaching InfluxDB as text.
/// </summary>
public static partial class GrafanaMacros
{
    [GeneratedRegex(@"\$\{(?<name>\w+)(?::(?<fmt>\w+))?\}|\$(?<name>\w+)")]
    private static partial Regex Reference();

    /// <summary>Names referenced in a query, built-ins included.</summary>
    public static IEnumerable<string> ReferencedNames(string query) =>
        Reference().Matches(query).Select(m => m.Groups["name"].Value).Distinct();

    public static string Expand(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        IReadOnlyDictionary<string, VariableValue> variables)
    {
        long fromMs = from.ToUnixTimeMilliseconds(), toMs = to.ToUnixTimeMilliseconds();
        var range = to - from;
        return Reference().Replace(query, m =>
        {
            var name = m.Groups["name"].Value;
            var format = m.Groups["fmt"].Success ? m.Groups["fmt"].Value : null;
            if (format is not null and not "regex")
                throw new NotSupportedException($"variable format '{format}' in {m.Value} is not modelled by this test");
            return name switch
            {
                "timeFilter" or "__timeFilter" => $"time >= {fromMs}ms and time <= {toMs}ms",
                "__interval" or "interval" => Duration(interval),
                "__interval_ms" => ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                "__range" => Duration(range),
                "__range_s" => ((long)range.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                "__range_ms" => ((long)range.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                "__from" => fromMs.ToString(CultureInfo.InvariantCulture),
                "__to" => toMs.ToString(CultureInfo.InvariantCulture),
                _ when variables.TryGetValue(name, out var v) => Format(v, format is not null),
                _ => throw new KeyNotFoundException($"query references ${name}, which is neither a Grafana macro nor a dashboard variable: {query}"),
            };
        });
    }

    /// <summary>Grafana's InfluxDB interpolation of one variable.</summary>
    public static string Format(VariableValue v, bool forceRegex = false)
    {
        if (v.Values.Count == 0) throw new InvalidOperationException("variable has no value");
        if (v.Values.Count == 1 && double.TryParse(v.Values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return v.Values[0]; // numbers go in as they are
        if (!v.RegexFormat && !forceRegex)
        {
            return v.Values.Count == 1 ? v.Values[0] : throw new InvalidOperationException("several values for a single-value variable");
        }
        var escaped = v.Values.Select(EscapeRegex).ToList();
        return escaped.Count == 1 ? escaped[0] : "(" + string.Join('|', escaped) + ")";
    }

    /// <summary>The characters Grafana escapes in regex-formatted values (its escapeRegex: \ ^ $ * + ? . ( ) | [ ] { } /).</summary>
    public static string EscapeRegex(string value) => EscapeChars().Replace(value, @"\$&");

    [GeneratedRegex(@"[\\^$*+?.()|\[\]{}/]")]
    private static partial Regex EscapeChars();

    /// <summary>An InfluxQL duration literal: the largest unit that divides it (10s, 1m, 8h, 250ms).</summary>
    public static string Duration(TimeSpan d)
    {
        var ms = (long)d.TotalMilliseconds;
        foreach (var (unitMs, suffix) in new[] { (86_400_000L, "d"), (3_600_000L, "h"), (60_000L, "m"), (1_000L, "s") })
            if (ms % unitMs == 0) return (ms / unitMs).ToString(CultureInfo.InvariantCulture) + suffix;
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>Reads a Grafana interval string such as "1m", "30s", "&gt;5m" (panel minimum interval).</summary>
    public static TimeSpan ParseInterval(string text)
    {
        var m = IntervalText().Match(text.Trim());
        if (!m.Success) throw new FormatException($"not an interval: '{text}'");
        var n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            var u => throw new FormatException($"unit '{u}' in '{text}'"),
        };
    }

    [GeneratedRegex(@"^>?(\d+)(ms|s|m|h|d)$")]
    private static partial Regex IntervalText();
}
