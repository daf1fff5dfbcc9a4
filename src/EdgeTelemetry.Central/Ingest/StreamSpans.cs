namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// What this instance has stored of each device stream, as runs of consecutive seqs with their sample-time bounds
/// (an unbroken stream is one run). An honest agent's samples rise in time with their seqs, so a batch of new seqs
/// whose times lie after the run below it and before the run above it — and outside every other stream of the
/// device — cannot land on a stored point: it needs no look at InfluxDB. That covers batches that arrive out of
/// order and an outage's backlog draining beside live data; a batch of new seqs carrying stored times (a forgery,
/// or a device clock that stepped back) falls outside and is compared.
/// </summary>
internal sealed class StreamSpans
{
    /// <summary>Beyond this many runs a stream is not tracked further (its batches are compared instead).</summary>
    private const int MaxRunsPerStream = 4096;

    private sealed record Run(long FromSeq, long ToSeq, long MinNs, long MaxNs);

    private readonly Dictionary<(string Site, string Device), Dictionary<string, List<Run>>> _devices = new();
    private readonly Lock _lock = new();

    /// <summary>Seqs <paramref name="ranges"/> of a stream were stored with sample times within <paramref name="minNs"/>..<paramref name="maxNs"/>.</summary>
    public void Record(string site, string device, string stream, IReadOnlyList<(long From, long To)> ranges, long minNs, long maxNs)
    {
        lock (_lock)
        {
            if (!_devices.TryGetValue((site, device), out var streams)) _devices[(site, device)] = streams = new(StringComparer.Ordinal);
            if (!streams.TryGetValue(stream, out var runs)) streams[stream] = runs = [];
            foreach (var (from, to) in ranges) Add(runs, new Run(from, to, minNs, maxNs));
        }
    }

    /// <summary>True when samples of new seqs <paramref name="fromSeq"/>..<paramref name="toSeq"/> with times within
    /// <paramref name="minNs"/>..<paramref name="maxNs"/> fit between the stored runs of their stream and clear of the device's other streams.</summary>
    public bool FitsBetween(string site, string device, string stream, long fromSeq, long toSeq, long minNs, long maxNs)
    {
        lock (_lock)
        {
            if (!_devices.TryGetValue((site, device), out var streams) || !streams.TryGetValue(stream, out var runs) || runs.Count >= MaxRunsPerStream)
                return false;
            foreach (var (other, otherRuns) in streams)
                if (other != stream && otherRuns.Count > 0 && otherRuns.Min(r => r.MinNs) <= maxNs && otherRuns.Max(r => r.MaxNs) >= minNs) return false;
            var at = Below(runs, fromSeq);
            if (at >= 0 && (runs[at].ToSeq >= fromSeq || runs[at].MaxNs >= minNs)) return false;
            var above = at + 1;
            return above >= runs.Count || (runs[above].FromSeq > toSeq && runs[above].MinNs > maxNs);
        }
    }

    /// <summary>Index of the last run starting at or below <paramref name="seq"/>, −1 if none.</summary>
    private static int Below(List<Run> runs, long seq)
    {
        int lo = 0, hi = runs.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (runs[mid].FromSeq <= seq) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    /// <summary>Inserts a run, merged with every run it overlaps or touches (consecutive seqs).</summary>
    private static void Add(List<Run> runs, Run run)
    {
        var first = Below(runs, run.FromSeq);
        if (first < 0 || runs[first].ToSeq < run.FromSeq - 1) first++;
        var last = first;
        while (last < runs.Count && runs[last].FromSeq <= run.ToSeq + 1)
        {
            run = new Run(Math.Min(run.FromSeq, runs[last].FromSeq), Math.Max(run.ToSeq, runs[last].ToSeq),
                Math.Min(run.MinNs, runs[last].MinNs), Math.Max(run.MaxNs, runs[last].MaxNs));
            last++;
        }
        runs.RemoveRange(first, last - first);
        runs.Insert(first, run);
    }
}
