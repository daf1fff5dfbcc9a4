using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>
/// Turns one ASCII line into a <see cref="MercuryReading"/>, a <see cref="MercuryNoReading"/> (self-check,
/// regeneration, fault — never a zero) or a <see cref="MercuryParseError"/> naming the line. It never throws for
/// line content, so one garbled line cannot stop the reader.
/// </summary>
public sealed class MercuryLineParser
{
    private static readonly char[] NoiseCharacters = ['\0', '\u0002', '\u0003', '\r', '\n', ' ', '\t'];
    private readonly MercuryLineFormat _format;
    private readonly (Regex Regex, MercuryInstrumentStatus Status)[] _rules;

    /// <param name="format">Line layout and status words.</param>
    /// <exception cref="ArgumentException">The format has neither a pattern with a "value" group nor a delimiter.</exception>
    public MercuryLineParser(MercuryLineFormat format)
    {
        _format = format ?? throw new ArgumentNullException(nameof(format));
        if (format.Pattern is { } pattern && Array.IndexOf(pattern.GetGroupNames(), "value") < 0)
        {
            throw new ArgumentException($"Format '{format.Name}': the pattern needs a named group 'value'.", nameof(format));
        }

        if (format.Pattern is null && format.Delimiter is null)
        {
            throw new ArgumentException($"Format '{format.Name}' needs a pattern or a delimiter.", nameof(format));
        }

        _rules = format.StatusRules
            .Select(r => (new Regex(r.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), r.Status))
            .ToArray();
    }

    /// <summary>Interprets one line.</summary>
    public MercuryLineResult Parse(string line, long lineNumber = 0)
    {
        string text = (line ?? string.Empty).Trim(NoiseCharacters);
        if (text.Length == 0)
        {
            return new MercuryParseError(line ?? string.Empty, lineNumber, "empty line");
        }

        try
        {
            if (MatchStatus(text) is { } status)
            {
                return new MercuryNoReading(text, lineNumber, status.Status, status.Text);
            }

            return _format.Pattern is not null ? ParseWithPattern(text, lineNumber) : ParseDelimited(text, lineNumber);
        }
        catch (RegexMatchTimeoutException)
        {
            return new MercuryParseError(text, lineNumber, $"format '{_format.Name}' took too long to match line {lineNumber}: \"{text}\"");
        }
    }

    private MercuryLineResult ParseWithPattern(string text, long lineNumber)
    {
        Match match = _format.Pattern!.Match(text);
        if (!match.Success)
        {
            return new MercuryParseError(text, lineNumber, $"line {lineNumber} \"{text}\" does not match format '{_format.Name}'");
        }

        string? Group(string name) => match.Groups[name] is { Success: true } g ? g.Value : null;
        return Interpret(text, lineNumber, Group("value"), Group("unit"), Group("status"), Group("timestamp"));
    }

    private MercuryLineResult ParseDelimited(string text, long lineNumber)
    {
        string[] columns = text.Split(_format.Delimiter!.Value).Select(c => c.Trim()).ToArray();
        string? Column(int? index) => index is { } i && i >= 0 && i < columns.Length ? columns[i] : null;
        if (_format.ValueColumn >= columns.Length)
        {
            return new MercuryParseError(text, lineNumber,
                $"line {lineNumber} \"{text}\" has {columns.Length} columns; the value is expected in column {_format.ValueColumn}");
        }

        return Interpret(text, lineNumber, Column(_format.ValueColumn), Column(_format.UnitColumn), Column(_format.StatusColumn), Column(_format.TimestampColumn));
    }

    private MercuryLineResult Interpret(string text, long lineNumber, string? valueText, string? unitText, string? statusText, string? timestamp)
    {
        if (statusText is not null && !_format.NormalStatusWords.Contains(statusText.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            var status = MatchStatus(statusText)?.Status ?? MercuryInstrumentStatus.Unknown;
            return new MercuryNoReading(text, lineNumber, status, statusText.Trim());
        }

        if (!TryParseNumber(valueText, out double value))
        {
            return new MercuryParseError(text, lineNumber, $"line {lineNumber} \"{text}\": \"{valueText}\" is not a number");
        }

        MercuryConcentrationUnit unit;
        if (string.IsNullOrWhiteSpace(unitText))
        {
            if (_format.DefaultUnit is not { } fallback)
            {
                return new MercuryParseError(text, lineNumber, $"line {lineNumber} \"{text}\" has no unit and format '{_format.Name}' sets no default");
            }

            unit = fallback;
        }
        else if (!MercuryUnits.TryParse(unitText, out unit))
        {
            return new MercuryParseError(text, lineNumber, $"line {lineNumber} \"{text}\": unknown unit \"{unitText}\"");
        }

        return new MercuryReading(text, lineNumber, MercuryUnits.ToMicrogramsPerCubicMetre(value, unit), value, unit, timestamp);
    }

    private bool TryParseNumber(string? text, out double value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string t = text.Trim();
        if (_format.AllowDecimalComma && t.Contains(',', StringComparison.Ordinal) && !t.Contains('.', StringComparison.Ordinal))
        {
            t = t.Replace(',', '.');
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private (MercuryInstrumentStatus Status, string Text)? MatchStatus(string text)
    {
        foreach (var (regex, status) in _rules)
        {
            Match m = regex.Match(text);
            if (m.Success)
            {
                return (status, m.Value);
            }
        }

        return null;
    }
}
