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

    /// <summary>Distinct sequence numbers in any order as ascending, merged ranges.</summary>
    public static List<(long From, long To)> FromUnordered(IEnumerable<long> seqs)
    {
        var sorted = seqs.ToArray();
        Array.Sort(sorted);
        var ranges = new List<(long From, long To)>();
        foreach (var s in sorted)
        {
            if (ranges.Count > 0 && s <= ranges[^1].To + 1) ranges[^1] = (ranges[^1].From, Math.Max(ranges[^1].To, s));
            else ranges.Add((s, s));
        }
        return ranges;
    }

    /// <summary>
    /// Parses text written by <see cref="Format(IEnumerable{(long, long)})"/> into ascending, merged ranges
    /// within [1, <paramref name="maxSeq"/>]; false (and no exception) for anything else, so a damaged
    /// record is skipped, never trusted.
    /// </summary>
    public static bool TryParse(string? text, long maxSeq, int maxRanges, out List<(long From, long To)> ranges)
    {
        ranges = [];
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var part in text.Split(','))
        {
            if (ranges.Count >= maxRanges) return false;
            var dash = part.IndexOf('-', 1);
            long from, to;
            if (dash < 0)
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out from)) return false;
                to = from;
            }
            else if (!long.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out from)
                     || !long.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out to))
                return false;
            if (from < 1 || to < from || to > maxSeq) return false;
            if (ranges.Count > 0 && from <= ranges[^1].To + 1)
            {
                if (from <= ranges[^1].To) return false; // not ascending and disjoint
                ranges[^1] = (ranges[^1].From, to);
            }
            else ranges.Add((from, to));
        }
        return true;
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
