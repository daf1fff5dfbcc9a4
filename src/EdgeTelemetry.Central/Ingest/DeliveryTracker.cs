using System.Collections.Concurrent;
using EdgeTelemetry.Transfer;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>A device stream's delivery account: what arrived, twice, not at all, or was evicted on the device.</summary>
/// <remarks>
/// <see cref="InFlight"/> is what the device last reported holding without a receipt (agent_health
/// <c>unreceipted</c>; null before a report): those samples are still on their way, it re-sends them.
/// <see cref="UnexplainedMissing"/> counts the gaps the device no longer holds (below its oldest
/// unreceipted seq) beyond what it reported evicting: a loss nobody accounts for.
/// </remarks>
public sealed record StreamDelivery(
    string Site, string Device, string Stream, long Received, long Duplicates, long HighestSeq,
    long Missing, IReadOnlyList<(long From, long To)> Gaps, long Evicted, DateTimeOffset LastSeen,
    long? InFlight = null, long UnexplainedMissing = 0);

/// <summary>How much accounting state one device may hold.</summary>
public sealed record DeliveryLimits
{
    /// <summary>Streams kept per device; beyond it the stream seen longest ago is forgotten (it stays in the delivery measurement).</summary>
    public int MaxStreamsPerDevice { get; init; } = 32;
    /// <summary>Disjoint ranges (i.e. gaps + 1) per stream; a message that would need more is refused (accounting_limit).</summary>
    public int MaxRangesPerStream { get; init; } = 10_000;
}

/// <summary>
/// One stored delivery record (a row of the <c>delivery</c> measurement), as <see cref="DeliveryTracker.Merge"/> takes it.
/// <see cref="Run"/> names the central run that wrote it; <see cref="Arrived"/> and <see cref="EvictedTotal"/> are that
/// run's running totals for the stream, so merging a record twice changes nothing. Records written before runs
/// existed have neither: their own <see cref="Count"/> and <see cref="Evicted"/> are added instead.
/// </summary>
public sealed record DeliveryRecord(
    string Site, string Device, string Stream, IReadOnlyList<(long From, long To)> Ranges, DateTimeOffset At,
    long Evicted = 0, string? Run = null, long? Arrived = null, long? EvictedTotal = null,
    long? HeldReportSeq = null, long? Held = null, long? OldestHeldSeq = null, long? LatestNs = null, long? EarliestNs = null)
{
    public long Count => DeliveryTracker.Count(Ranges);
}

/// <summary>
/// Tracks, per device stream, which sequence numbers arrived (as merged ranges), how many arrived
/// again (replays) and which are missing. Work and memory follow the number of ranges, never the
/// size of a sequence number: seq 2^53 costs what seq 1 costs. Gaps the device reported as evicted
/// are told apart from unexplained losses.
/// </summary>
/// <remarks>
/// Several central instances share the work (one shared subscription), so each holds only part of the
/// live account. Every message's delivery record carries the writing run's running totals; any instance
/// merges any record (<see cref="Merge"/>: ranges by union, totals by maximum per run), in any order and
/// any number of times, and ends with the same account: duplicates are all arrivals minus the distinct
/// sequence numbers, whichever instance saw them.
/// </remarks>
public sealed class DeliveryTracker(DeliveryLimits? limits = null, string? run = null)
{
    private readonly DeliveryLimits _limits = limits ?? new DeliveryLimits();

    /// <summary>This instance's run: its records carry it with its running totals.</summary>
    public string Run { get; } = run ?? $"local-{Guid.NewGuid():N}"[..14];

    private sealed class StreamState
    {
        public readonly List<(long From, long To)> Ranges = []; // ascending, disjoint, merged
        public long Received;
        // Per run (this instance's and others'): samples that arrived there, evictions reported there.
        public readonly Dictionary<string, (long Arrived, long Evicted)> Runs = new(StringComparer.Ordinal);
        // Records from before runs existed: added, not merged.
        public long LegacyArrived, LegacyEvicted;
        public DateTimeOffset LastSeen;
        // The device's own word, from its latest health report: samples held unreceipted, the oldest of them.
        public long? Held, OldestHeldSeq;
        public long HeldReportSeq;

        public long Duplicates => Math.Max(0, Runs.Values.Sum(r => r.Arrived) + LegacyArrived - Received);
        public long Evicted => Runs.Values.Sum(r => r.Evicted) + LegacyEvicted;
    }

    private readonly ConcurrentDictionary<(string Site, string Device), ConcurrentDictionary<string, StreamState>> _devices = new();
    // Per device, the latest sample time stored (or being stored) by any instance, as far as this one knows:
    // a batch after it cannot overwrite anything, so it needs no look at InfluxDB (ReplayGuard).
    private readonly ConcurrentDictionary<(string Site, string Device), long> _latestNs = new();

    /// <summary>The latest sample time known stored for the device (long.MinValue: known to have none), or null when not known yet.</summary>
    public long? LatestStoredNs(string site, string device) => _latestNs.TryGetValue((site, device), out var ns) ? ns : null;

    /// <summary>Raises the device's latest stored sample time (never lowers it).</summary>
    public void RaiseLatestStored(string site, string device, long ns) =>
        _latestNs.AddOrUpdate((site, device), ns, (_, known) => Math.Max(known, ns));

    /// <summary>Whether any of these sequence numbers of the stream has arrived before.</summary>
    public bool AnyArrived(string site, string device, string stream, IReadOnlyList<(long From, long To)> ranges)
    {
        if (!_devices.TryGetValue((site, device), out var streams) || !streams.TryGetValue(stream, out var state)) return false;
        lock (state)
        {
            foreach (var (from, to) in ranges)
            {
                var i = LowerBound(state.Ranges, from);
                if (i < state.Ranges.Count && state.Ranges[i].From <= to) return true;
            }
            return false;
        }
    }

    public long DuplicatesTotal => AllStreams().Sum(s => { lock (s.State) return s.State.Duplicates; });

    /// <summary>
    /// Records the sequence numbers of one message (ascending ranges, as <see cref="SeqRanges.FromUnordered"/> makes them);
    /// returns how many had arrived before, or null when the stream would exceed its range bound (nothing recorded).
    /// </summary>
    public long? Record(string site, string device, string stream, IReadOnlyList<(long From, long To)> ranges, DateTimeOffset at)
    {
        var state = StreamOf(site, device, stream);
        lock (state)
        {
            var before = state.Received;
            if (!TryUnion(state, ranges)) return null;
            var count = Count(ranges);
            var own = state.Runs.GetValueOrDefault(Run);
            state.Runs[Run] = (own.Arrived + count, own.Evicted);
            if (at > state.LastSeen) state.LastSeen = at;
            return count - (state.Received - before);
        }
    }

    /// <summary>This run's running totals for a stream: what its next delivery record carries.</summary>
    public (long Arrived, long Evicted) Totals(string site, string device, string stream)
    {
        var state = StreamOf(site, device, stream);
        lock (state) return state.Runs.GetValueOrDefault(Run);
    }

    /// <summary>Whether a sequence number of this stream has arrived before.</summary>
    public bool Has(string site, string device, string stream, long seq)
    {
        if (!_devices.TryGetValue((site, device), out var streams) || !streams.TryGetValue(stream, out var state)) return false;
        lock (state) return IndexOf(state.Ranges, seq) >= 0;
    }

    /// <summary>The device reported evicting these samples to stay within its disk quota.</summary>
    public void RecordEviction(string site, string device, string stream, long count)
    {
        var state = StreamOf(site, device, stream);
        lock (state)
        {
            var own = state.Runs.GetValueOrDefault(Run);
            state.Runs[Run] = (own.Arrived, own.Evicted + count);
        }
    }

    /// <summary>
    /// The device reported (in its health sample <paramref name="reportSeq"/>) holding <paramref name="held"/>
    /// samples without a receipt, the oldest being <paramref name="oldestSeq"/>. An older report (a replay) is ignored.
    /// </summary>
    public void RecordHeld(string site, string device, string stream, long reportSeq, long held, long oldestSeq)
    {
        var state = StreamOf(site, device, stream);
        lock (state) Held(state, reportSeq, held, oldestSeq);
    }

    private static void Held(StreamState state, long reportSeq, long held, long oldestSeq)
    {
        if (reportSeq <= state.HeldReportSeq) return;
        (state.HeldReportSeq, state.Held, state.OldestHeldSeq) = (reportSeq, Math.Max(0, held), Math.Max(1, oldestSeq));
    }

    /// <summary>
    /// Merges a stored delivery record (an earlier run's, or another instance's); false when it would exceed the
    /// range bound (nothing changed). A record with a run changes nothing the second time.
    /// </summary>
    public bool Merge(DeliveryRecord r)
    {
        var state = StreamOf(r.Site, r.Device, r.Stream);
        lock (state)
        {
            if (!TryUnion(state, r.Ranges)) return false;
            if (r.Run is { } run && r.Arrived is { } arrived)
            {
                var known = state.Runs.GetValueOrDefault(run);
                state.Runs[run] = (Math.Max(known.Arrived, arrived), Math.Max(known.Evicted, r.EvictedTotal ?? 0));
            }
            else
            {
                state.LegacyArrived += r.Count;
                state.LegacyEvicted += r.Evicted;
            }
            if (r is { HeldReportSeq: { } reportSeq, Held: { } held, OldestHeldSeq: { } oldest }) Held(state, reportSeq, held, oldest);
            if (r.LatestNs is { } latest) RaiseLatestStored(r.Site, r.Device, latest);
            if (r.At > state.LastSeen) state.LastSeen = r.At;
            return true;
        }
    }

    /// <summary>Adds ranges to a stream (under its lock); false, and nothing changed, beyond the range bound.</summary>
    private bool TryUnion(StreamState state, IReadOnlyList<(long From, long To)> ranges)
    {
        var merged = Union(state.Ranges, ranges, out var overlap);
        if (merged.Count > _limits.MaxRangesPerStream) return false;
        state.Ranges.Clear();
        state.Ranges.AddRange(merged);
        state.Received += Count(ranges) - overlap;
        return true;
    }

    public IReadOnlyList<StreamDelivery> Summary()
    {
        var result = new List<StreamDelivery>();
        foreach (var ((site, device), stream, state) in AllStreams())
        {
            lock (state)
            {
                var gaps = new List<(long, long)>();
                long expected = 1, highest = 0, missing = 0, notHeld = 0;
                var heldFrom = state.OldestHeldSeq ?? long.MaxValue;
                foreach (var (from, to) in state.Ranges)
                {
                    if (from > expected)
                    {
                        gaps.Add((expected, from - 1));
                        missing += from - expected;
                        notHeld += Math.Max(0, Math.Min(from, heldFrom) - expected);
                    }
                    expected = to + 1;
                    highest = to;
                }
                result.Add(new StreamDelivery(site, device, stream, state.Received, state.Duplicates, highest,
                    missing, gaps, state.Evicted, state.LastSeen, state.Held, Math.Max(0, notHeld - state.Evicted)));
            }
        }
        return result.OrderBy(r => r.Site).ThenBy(r => r.Device).ThenBy(r => r.Stream).ToList();
    }

    private IEnumerable<((string Site, string Device) Key, string Stream, StreamState State)> AllStreams() =>
        _devices.SelectMany(d => d.Value.Select(s => (d.Key, s.Key, s.Value)));

    private StreamState StreamOf(string site, string device, string stream)
    {
        var streams = _devices.GetOrAdd((site, device), _ => new ConcurrentDictionary<string, StreamState>(StringComparer.Ordinal));
        if (streams.TryGetValue(stream, out var existing)) return existing;
        var state = streams.GetOrAdd(stream, _ => new StreamState());
        // Bounded per device: a device inventing stream ids forgets its oldest, it cannot grow memory.
        while (streams.Count > _limits.MaxStreamsPerDevice)
        {
            var oldest = streams.Where(s => !ReferenceEquals(s.Value, state)).MinBy(s => s.Value.LastSeen);
            if (oldest.Key is null) break;
            streams.TryRemove(oldest.Key, out _);
        }
        return state;
    }

    internal static long Count(IReadOnlyList<(long From, long To)> ranges)
    {
        long n = 0;
        foreach (var (from, to) in ranges) n += to - from + 1;
        return n;
    }

    /// <summary>Union of two ascending range lists, with the size of their overlap (the duplicates).</summary>
    private static List<(long From, long To)> Union(List<(long From, long To)> existing, IReadOnlyList<(long From, long To)> added, out long overlap)
    {
        overlap = 0;
        foreach (var (from, to) in added)
        {
            // Ranges that intersect [from, to]: found by binary search, so the cost is logarithmic in gaps.
            var i = LowerBound(existing, from);
            for (var j = i; j < existing.Count && existing[j].From <= to; j++)
                overlap += Math.Min(to, existing[j].To) - Math.Max(from, existing[j].From) + 1;
        }
        var result = new List<(long From, long To)>(existing.Count + added.Count);
        int a = 0, b = 0;
        while (a < existing.Count || b < added.Count)
        {
            var next = b >= added.Count || (a < existing.Count && existing[a].From <= added[b].From) ? existing[a++] : added[b++];
            if (result.Count > 0 && next.From <= result[^1].To + 1)
                result[^1] = (result[^1].From, Math.Max(result[^1].To, next.To));
            else
                result.Add(next);
        }
        return result;
    }

    /// <summary>First range whose end is at or after <paramref name="seq"/>.</summary>
    private static int LowerBound(List<(long From, long To)> ranges, long seq)
    {
        int lo = 0, hi = ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].To < seq) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int IndexOf(List<(long From, long To)> ranges, long seq)
    {
        var i = LowerBound(ranges, seq);
        return i < ranges.Count && ranges[i].From <= seq ? i : -1;
    }
}
