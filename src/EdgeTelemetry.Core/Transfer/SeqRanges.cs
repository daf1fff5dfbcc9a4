using System.Globalization;
using System.Text;

namespace EdgeTelemetry.Transfer;

/// <summary>Sequence numbers written compactly as ranges: "1-200,202,204-250".</summary>
public static class SeqRanges
{
    /// <summary>Formats ascending, distinct sequence numbers.</summary>
    public static string Format(IEnumerable<long> ascending)
    {
        var sb = new StringBuilder();
        long? start = null, prev = null;
        foreach (var s in ascending)
        {
            if (prev is { } p && s <= p) throw new ArgumentException($"sequence numbers must be ascending and distinct ({s} after {p})");
            if (start is null) start = s;
            else if (s != prev + 1) { Append(sb, start.Value, prev!.Value); start = s; }
            prev = s;
        }
        if (start is not null) Append(sb, start.Value, prev!.Value);
        return sb.ToString();
    }

    /// <summary>Formats (from, to) ranges, ascending and disjoint.</summary>
    public static string Format(IEnumerable<(long From, long To)> ranges)
    {
        var sb = new StringBuilder();
        foreach (var (from, to) in ranges) Append(sb, from, to);
        return sb.ToString();
    }

    public static IEnumerable<(long From, long To)> Parse(string text)
    {
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash < 0) { var v = long.Parse(part, CultureInfo.InvariantCulture); yield return (v, v); }
            else yield return (long.Parse(part[..dash], CultureInfo.InvariantCulture), long.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture));
        }
    }

    private static void Append(StringBuilder sb, long from, long to)
    {
        if (sb.Length > 0) sb.Append(',');
        sb.Append(from.ToString(CultureInfo.InvariantCulture));
        if (to != from) sb.Append('-').Append(to.ToString(CultureInfo.InvariantCulture));
    }
}
