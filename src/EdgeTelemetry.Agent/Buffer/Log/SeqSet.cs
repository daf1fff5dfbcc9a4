namespace EdgeTelemetry.Agent.Buffer.Log;

/// <summary>Sequence numbers as sorted, disjoint, merged ranges (receipted seqs stay a handful of ranges).</summary>
internal sealed class SeqSet
{
    private readonly List<(long From, long To)> _ranges = [];

    public IReadOnlyList<(long From, long To)> Ranges => _ranges;

    public static SeqSet Parse(string? text)
    {
        var set = new SeqSet();
        if (!string.IsNullOrEmpty(text))
            foreach (var (from, to) in EdgeTelemetry.Transfer.SeqRanges.Parse(text)) set.Add(from, to);
        return set;
    }

    public override string ToString() => EdgeTelemetry.Transfer.SeqRanges.Format(_ranges);

    /// <summary>Index of the first range whose end is ≥ seq.</summary>
    private int FirstEndingAtOrAfter(long seq)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].To < seq) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    public bool Contains(long seq)
    {
        var i = FirstEndingAtOrAfter(seq);
        return i < _ranges.Count && _ranges[i].From <= seq;
    }

    /// <summary>The first seq at or after <paramref name="seq"/> that is not in the set.</summary>
    public long FirstMissingFrom(long seq)
    {
        var i = FirstEndingAtOrAfter(seq);
        return i < _ranges.Count && _ranges[i].From <= seq ? _ranges[i].To + 1 : seq;
    }

    /// <summary>How many of from..to are in the set.</summary>
    public long CountIn(long from, long to)
    {
        long n = 0;
        for (var i = FirstEndingAtOrAfter(from); i < _ranges.Count && _ranges[i].From <= to; i++)
            n += Math.Min(to, _ranges[i].To) - Math.Max(from, _ranges[i].From) + 1;
        return n;
    }

    public void Add(long from, long to)
    {
        if (from > to) return;
        // Every range touching or adjacent to from..to merges into one.
        var i = FirstEndingAtOrAfter(from == long.MinValue ? from : from - 1);
        var j = i;
        while (j < _ranges.Count && _ranges[j].From <= (to == long.MaxValue ? to : to + 1))
        {
            from = Math.Min(from, _ranges[j].From);
            to = Math.Max(to, _ranges[j].To);
            j++;
        }
        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, (from, to));
    }

    /// <summary>Forgets everything below <paramref name="seq"/> (seqs no longer held need no state).</summary>
    public void RemoveBelow(long seq)
    {
        var i = FirstEndingAtOrAfter(seq);
        _ranges.RemoveRange(0, i);
        if (_ranges.Count > 0 && _ranges[0].From < seq) _ranges[0] = (seq, _ranges[0].To);
    }

    /// <summary>Drops the smallest ranges until at most <paramref name="max"/> are left (used only where forgetting costs a re-send, never data).</summary>
    public void KeepLargest(int max)
    {
        if (_ranges.Count <= max) return;
        var keep = _ranges.OrderByDescending(r => r.To - r.From).Take(max).OrderBy(r => r.From).ToList();
        _ranges.Clear();
        _ranges.AddRange(keep);
    }
}
