using System.Collections.Concurrent;
using EdgeTelemetry.Transfer;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>A device stream's delivery account: what arrived, twice, not at all, or was evicted on the device.</summary>
public sealed record StreamDelivery(
    string Site, string Device, string Stream, long Received, long Duplicates, long HighestSeq,
    long Missing, IReadOnlyList<(long From, long To)> Gaps, long Evicted, DateTimeOffset LastSeen);

/// <summary>
/// Tracks, per device stream, which sequence numbers arrived (as merged ranges), how many arrived
/// again (replays) and which are missing. Gaps the device reported as evicted are told apart from
/// unexplained losses. Rebuilt from the <c>delivery</c> measurement after a restart.
/// </summary>
public sealed class DeliveryTracker
{
    private sealed class StreamState
    {
        public readonly SortedDictionary<long, long> Ranges = []; // from → to, disjoint, merged
        public long Duplicates, Evicted, Received;
        public DateTimeOffset LastSeen;
    }

    private readonly ConcurrentDictionary<(string Site, string Device, string Stream), StreamState> _streams = new();

    public long DuplicatesTotal => _streams.Values.Sum(s => Interlocked.Read(ref s.Duplicates));

    /// <summary>Records the sequence numbers of one message; returns how many had arrived before.</summary>
    public int Record(string site, string device, string stream, IEnumerable<long> seqs, DateTimeOffset at)
    {
        var state = _streams.GetOrAdd((site, device, stream), _ => new StreamState());
        var duplicates = 0;
        lock (state)
        {
            foreach (var seq in seqs)
            {
                if (Contains(state.Ranges, seq)) { duplicates++; continue; }
                Add(state.Ranges, seq, seq);
                state.Received++;
            }
            state.Duplicates += duplicates;
            if (at > state.LastSeen) state.LastSeen = at;
        }
        return duplicates;
    }

    /// <summary>Whether a sequence number of this stream has arrived before.</summary>
    public bool Has(string site, string device, string stream, long seq)
    {
        if (!_streams.TryGetValue((site, device, stream), out var state)) return false;
        lock (state) return Contains(state.Ranges, seq);
    }

    /// <summary>The device reported evicting these samples to stay within its disk quota.</summary>
    public void RecordEviction(string site, string device, string stream, long count)
    {
        var state = _streams.GetOrAdd((site, device, stream), _ => new StreamState());
        lock (state) state.Evicted += count;
    }

    /// <summary>Restores what an earlier run (or another instance) persisted.</summary>
    public void Restore(string site, string device, string stream, string ranges, long duplicates, long evicted, DateTimeOffset at)
    {
        var state = _streams.GetOrAdd((site, device, stream), _ => new StreamState());
        lock (state)
        {
            foreach (var (from, to) in SeqRanges.Parse(ranges))
                for (var s = from; s <= to; s++)
                    if (!Contains(state.Ranges, s)) { Add(state.Ranges, s, s); state.Received++; }
            state.Duplicates += duplicates;
            state.Evicted += evicted;
            if (at > state.LastSeen) state.LastSeen = at;
        }
    }

    public IReadOnlyList<StreamDelivery> Summary()
    {
        var result = new List<StreamDelivery>();
        foreach (var ((site, device, stream), state) in _streams)
        {
            lock (state)
            {
                var gaps = new List<(long, long)>();
                long expected = 1, highest = 0;
                foreach (var (from, to) in state.Ranges)
                {
                    if (from > expected) gaps.Add((expected, from - 1));
                    expected = to + 1;
                    highest = to;
                }
                result.Add(new StreamDelivery(site, device, stream, state.Received, state.Duplicates, highest,
                    gaps.Sum(g => g.Item2 - g.Item1 + 1), gaps, state.Evicted, state.LastSeen));
            }
        }
        return result.OrderBy(r => r.Site).ThenBy(r => r.Device).ThenBy(r => r.Stream).ToList();
    }

    private static bool Contains(SortedDictionary<long, long> ranges, long seq)
    {
        // Few ranges per stream in practice (gaps are rare), so a scan from the end is cheap.
        foreach (var (from, to) in ranges.Reverse())
        {
            if (seq > to) return false;
            if (seq >= from) return true;
        }
        return false;
    }

    private static void Add(SortedDictionary<long, long> ranges, long from, long to)
    {
        // Merge with a range ending just before and one starting just after.
        var before = ranges.LastOrDefault(r => r.Value == from - 1);
        if (before.Value == from - 1 && ranges.ContainsKey(before.Key)) { from = before.Key; ranges.Remove(before.Key); }
        if (ranges.TryGetValue(to + 1, out var afterTo)) { ranges.Remove(to + 1); to = afterTo; }
        ranges[from] = to;
    }
}
