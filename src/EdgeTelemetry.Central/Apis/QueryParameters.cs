using System.Globalization;
using System.Text.RegularExpressions;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Apis;

/// <summary>
/// Reads and checks an endpoint's query string, collecting one clear message per bad parameter
/// (answered as a 400 validation problem). Unknown parameters are refused too, so a typo such as
/// <c>?frm=</c> is reported instead of silently ignored.
/// </summary>
public sealed partial class QueryParameters
{
    private readonly IQueryCollection _query;
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    private QueryParameters(IQueryCollection query) => _query = query;

    public static QueryParameters For(HttpRequest request, params string[] allowed)
    {
        var p = new QueryParameters(request.Query);
        foreach (var (key, values) in request.Query)
        {
            // lang (es, en) is read by the request localization on every endpoint.
            if (key == Localization.CentralLocalization.LanguageParameter && values.Count == 1) continue;
            if (!allowed.Contains(key, StringComparer.Ordinal))
                p.Error(key, allowed.Length == 0
                    ? "unknown parameter; this endpoint takes no query parameters"
                    : $"unknown parameter; this endpoint takes {string.Join(", ", allowed)}");
            else if (values.Count > 1)
                p.Error(key, "given more than once");
        }
        return p;
    }

    public bool IsValid => _errors.Count == 0;

    public IResult Problem() => Results.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
        title: "Invalid query parameters");

    public void Error(string name, string message)
    {
        if (!_errors.TryGetValue(name, out var list)) _errors[name] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    private string? Raw(string name, bool required)
    {
        var value = _query.TryGetValue(name, out var v) && v.Count == 1 ? v[0] : null;
        if (string.IsNullOrEmpty(value))
        {
            if (required && !_errors.ContainsKey(name)) Error(name, "is required");
            return null;
        }
        return value;
    }

    public string? Site(bool required = true) => Id("site", required, Topics.IsValidId, "a site id: [a-z0-9][a-z0-9_-]{0,63}");

    public string? Device(bool required = true) => Id("device", required, Topics.IsValidId, "a device id: [a-z0-9][a-z0-9_-]{0,63}");

    public string? Equipment(bool required = true) => Id("equipment", required, IsEquipmentId, "an equipment id: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private string? Id(string name, bool required, Func<string, bool> valid, string expected)
    {
        var value = Raw(name, required);
        if (value is null) return null;
        if (valid(value)) return value;
        Error(name, $"'{Shorten(value)}' is not {expected}");
        return null;
    }

    /// <summary>An RFC 3339 instant with an explicit offset, e.g. 2026-11-23T08:00:00Z.</summary>
    public DateTimeOffset? Time(string name, bool required = true)
    {
        var value = Raw(name, required);
        if (value is null) return null;
        if (TryParseRfc3339(value, out var t)) return t;
        Error(name, $"'{Shorten(value)}' is not an RFC 3339 time with offset, e.g. 2026-11-23T08:00:00Z");
        return null;
    }

    /// <summary>Checks from &lt; to and the length of the period; returns false (with a message) if not.</summary>
    public bool Period(DateTimeOffset? from, DateTimeOffset? to, TimeSpan? longest = null)
    {
        if (from is not { } f || to is not { } t) return false;
        if (t <= f)
        {
            Error("to", "must be after 'from'");
            return false;
        }
        if (longest is { } max && t - f > max)
        {
            Error("to", $"the period may be at most {max.TotalDays:0} days");
            return false;
        }
        return true;
    }

    /// <summary>An InfluxQL-style duration (<c>10s</c>, <c>1m</c>, <c>1h</c>, <c>1d</c>) within bounds.</summary>
    public TimeSpan? Duration(string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var value = Raw(name, required: false);
        if (value is null) return fallback;
        var m = DurationPattern().Match(value);
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1_000_000)
        {
            Error(name, $"'{Shorten(value)}' is not a duration such as 10s, 1m, 1h or 1d");
            return null;
        }
        var span = m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
        if (span < min || span > max)
        {
            Error(name, $"must be between {Describe(min)} and {Describe(max)}");
            return null;
        }
        return span;
    }

    public string? OneOf(string name, string fallback, params string[] values)
    {
        var value = Raw(name, required: false);
        if (value is null) return fallback;
        if (values.Contains(value, StringComparer.Ordinal)) return value;
        Error(name, $"'{Shorten(value)}' is not one of {string.Join(", ", values)}");
        return null;
    }

    public bool? Bool(string name, bool fallback)
    {
        var value = Raw(name, required: false);
        if (value is null) return fallback;
        if (value is "true" or "1") return true;
        if (value is "false" or "0") return false;
        Error(name, $"'{Shorten(value)}' is not true or false");
        return null;
    }

    public static bool IsEquipmentId(string? id) => id is not null && EquipmentPattern().IsMatch(id);

    public static bool TryParseRfc3339(string value, out DateTimeOffset time)
    {
        time = default;
        if (!Rfc3339Pattern().IsMatch(value) || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return false;
        time = parsed.ToUniversalTime();
        return true;
    }

    private static string Describe(TimeSpan t) =>
        t.TotalDays >= 1 && t.TotalDays % 1 == 0 ? $"{t.TotalDays:0}d"
        : t.TotalHours >= 1 && t.TotalHours % 1 == 0 ? $"{t.TotalHours:0}h"
        : t.TotalMinutes >= 1 && t.TotalMinutes % 1 == 0 ? $"{t.TotalMinutes:0}m"
        : $"{t.TotalSeconds:0}s";

    // Echo at most a little of the input: enough to recognise, never a wall of text.
    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Rfc3339Pattern();

    [GeneratedRegex(@"^([0-9]{1,7})(s|m|h|d)\z")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z")]
    private static partial Regex EquipmentPattern();
}
