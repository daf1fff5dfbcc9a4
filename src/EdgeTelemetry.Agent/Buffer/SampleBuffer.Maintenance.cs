using EdgeTelemetry.Agent.Buffer.Log;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Quota, eviction, pruning, backlog figures and clock correction.</summary>
public sealed partial class SampleBuffer
{
    /// <summary>
    /// Counts in a buffer from outside the agent (status tools, tests), read-only, as last persisted: which samples
    /// await a receipt lives in the agent's memory, so unsent and unreceipted are one figure here. Zeros while the
    /// buffer does not exist yet.
    /// </summary>
    public static Task<BufferPeek> PeekAsync(string path, CancellationToken ct = default)
    {
        try
        {
            var buffer = OpenReadOnly(path);
            try
            {
                var (retained, receipted) = buffer.RetainedAndReceipted();
                var receiptedBelow = buffer._state.NextSeq;
                foreach (var e in buffer._records)
                    if (e.FirstSeq < receiptedBelow && buffer._receipted.CountIn(e.FirstSeq, e.LastSeq) < e.Count)
                        receiptedBelow = Math.Min(receiptedBelow, buffer._receipted.FirstMissingFrom(e.FirstSeq));
                return Task.FromResult(new BufferPeek(buffer._state.NextSeq - 1, retained - receipted, receiptedBelow));
            }
            finally { buffer.Close(); }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException)
        {
            return Task.FromResult(new BufferPeek(0, 0, 1)); // not there yet, or being created by the agent
        }
    }

    /// <summary>Bytes the buffer occupies on disk (whole segments: they are zeroed ahead of use).</summary>
    public async Task<long> UsedBytesAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return _log.UsedBytes; }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Keeps the buffer under <paramref name="quotaBytes"/>, segment by segment, oldest first: first segments all
    /// receipted (kept only for inspection), then the oldest unreceipted telemetry (its events are written again at
    /// the tail, so they stay), and events only when no telemetry is left, down to 80 % of the quota. Every
    /// unreceipted sample removed is counted and returned; the eviction is persisted before a segment goes.
    /// </summary>
    public async Task<Eviction?> EnforceQuotaAsync(long quotaBytes, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (_log.UsedBytes <= quotaBytes) return null;
            // Down to 80 %: evictions come in a few larger runs rather than one per commit.
            var target = quotaBytes * 8 / 10;
            long pruned = 0, evicted = 0, first = long.MaxValue, last = 0;
            foreach (var pass in new[] { 0, 1, 2 })
            {
                var bySegment = RecordsBySegment();
                var drop = new List<int>();
                var copying = false;
                foreach (var segment in _log.Segments.ToList())
                {
                    if (_log.UsedBytes - drop.Count * (long)_log.SegmentBytes <= target) break;
                    var held = bySegment.GetValueOrDefault(segment) ?? [];
                    var unreceipted = held.Where(e => _receipted.CountIn(e.FirstSeq, e.LastSeq) < e.Count).ToList();
                    if (pass == 0 && unreceipted.Count > 0) continue;
                    var keep = pass == 1 ? unreceipted.Where(e => e.Kind == SampleKind.Event).ToList() : [];
                    if (pass == 1 && keep.Count == unreceipted.Count && unreceipted.Count > 0) continue; // events only: last pass
                    var kept = keep.Select(e => Decode(e).Where(s => !_receipted.Contains(s.Seq)).ToList()).ToList();
                    foreach (var e in held)
                    {
                        var gone = e.Count - _receipted.CountIn(e.FirstSeq, e.LastSeq);
                        if (keep.Contains(e) || gone == 0) { pruned += _receipted.CountIn(e.FirstSeq, e.LastSeq); continue; }
                        evicted += gone;
                        _state.Evicted += gone; // persisted with the segment's removal, never after it
                        pruned += e.Count - gone;
                        for (var seq = e.FirstSeq; seq <= e.LastSeq; seq++)
                            if (!_receipted.Contains(seq)) { first = Math.Min(first, seq); last = Math.Max(last, seq); }
                        _evicted.Add(e.FirstSeq, e.LastSeq);
                    }
                    if (kept.Count > 0)
                    {
                        // Copies go to a segment of their own, after every segment this pass may drop.
                        if (!copying) _log.CloseTail();
                        copying = true;
                        CopyForward(keep, kept);
                    }
                    drop.Add(segment);
                }
                DropSegments(drop);
            }
            return new Eviction(evicted, evicted > 0 ? first : 0, last, pruned);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Writes events of a segment about to go again at the tail, under their own seqs (one record per run of consecutive seqs).</summary>
    private void CopyForward(List<RecordEntry> entries, List<List<Sample>> samples)
    {
        foreach (var e in entries) _records.Remove(e);
        Commit(samples.SelectMany(Runs).Select(run => new PlannedRecord(SampleKind.Event, null,
            run.Select(x => (x.Seq, new PendingSample(x.TimestampNs, x.Measurement, x.Equipment, x.Readings, SampleKind.Event), ClockState.Trusted)).ToList())).ToList());
    }

    private static IEnumerable<List<Sample>> Runs(List<Sample> samples)
    {
        var run = new List<Sample>();
        foreach (var s in samples)
        {
            if (run.Count > 0 && s.Seq != run[^1].Seq + 1) { yield return run; run = []; }
            run.Add(s);
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>The records of each segment, in one pass over the index (a long outage's buffer holds millions).</summary>
    private Dictionary<int, List<RecordEntry>> RecordsBySegment()
    {
        var bySegment = new Dictionary<int, List<RecordEntry>>();
        foreach (var e in _records)
        {
            if (!bySegment.TryGetValue(e.At.Segment, out var list)) bySegment[e.At.Segment] = list = [];
            list.Add(e);
        }
        return bySegment;
    }

    /// <summary>Deletes segments and forgets their records; the state is persisted first (next seq, evictions).</summary>
    private void DropSegments(IReadOnlyCollection<int> segments)
    {
        if (segments.Count == 0) return;
        Persist();
        foreach (var segment in segments)
        {
            if (_log.TailSegment == segment) _log.CloseTail();
            _log.Delete(segment);
        }
        var gone = segments.ToHashSet();
        _records.RemoveAll(e => gone.Contains(e.At.Segment));
        foreach (var seq in _rows.Keys.Where(s => FindRecord(s) >= _records.Count || _records[FindRecord(s)].FirstSeq > s).ToList()) _rows.Remove(seq);
        _decoded.Clear();
        _decodedOrder.Clear();
    }

    /// <summary>Unsent samples evicted over the life of this buffer.</summary>
    public async Task<long> EvictedTotalAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return _state.Evicted; }
        finally { _lock.Release(); }
    }

    /// <summary>Deletes the segments whose samples are all receipted and older than the cut-off; unreceipted samples are never pruned here.</summary>
    public async Task<int> PruneSentAsync(long olderThanNs, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var pruned = 0;
            var drop = new List<int>();
            var bySegment = RecordsBySegment();
            foreach (var segment in _log.Segments)
            {
                // A segment without samples (all evicted before a crash) goes too.
                var held = bySegment.GetValueOrDefault(segment) ?? [];
                if (held.Any(e => e.MaxT >= olderThanNs || _receipted.CountIn(e.FirstSeq, e.LastSeq) < e.Count)) continue;
                pruned += held.Sum(e => e.Count);
                drop.Add(segment);
            }
            DropSegments(drop);
            return pruned;
        }
        finally { _lock.Release(); }
    }

    /// <summary>Unsent and unreceipted samples with the oldest of each, and the highest seq.</summary>
    public async Task<Backlog> BacklogAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            long unsent = 0, unreceipted = 0;
            long? oldestUnsent = null, oldestUnreceipted = null, oldestUnreceiptedSeq = null;
            bool firstUnsent = true, firstUnreceipted = true;
            foreach (var e in _records)
            {
                var open = e.Count - _receipted.CountIn(e.FirstSeq, e.LastSeq);
                if (open == 0) continue;
                unreceipted += open;
                bool Unsent(long seq) => !_receipted.Contains(seq) && !(_rows.TryGetValue(seq, out var row) && row.Awaiting);
                // The first record with such samples is read for their exact time; later ones count by their earliest.
                if (firstUnreceipted)
                {
                    var open1 = Decode(e).Where(s => !_receipted.Contains(s.Seq)).ToList();
                    oldestUnreceipted = open1.Min(s => s.TimestampNs);
                    oldestUnreceiptedSeq = open1[0].Seq;
                    firstUnreceipted = false;
                }
                else oldestUnreceipted = Math.Min(oldestUnreceipted!.Value, e.MinT);
                var waiting = Enumerable.Range(0, e.Count).Count(i => Unsent(e.FirstSeq + i));
                if (waiting == 0) continue;
                unsent += waiting;
                if (firstUnsent)
                {
                    oldestUnsent = Decode(e).Where(s => Unsent(s.Seq)).Min(s => s.TimestampNs);
                    firstUnsent = false;
                }
                else oldestUnsent = Math.Min(oldestUnsent!.Value, e.MinT);
            }
            return new Backlog(unsent, oldestUnsent, _state.NextSeq - 1, unreceipted, oldestUnreceipted, oldestUnreceiptedSeq);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Once the clock is trustworthy: samples of this boot taken while it was not get t = monotonic time + (wall −
    /// monotonic offset now); samples of earlier boots cannot be placed and are released flagged as uncertain. The
    /// correction is a record of its own (durable at once); the samples are not rewritten. Returns (corrected, uncorrectable).
    /// </summary>
    public async Task<(int Corrected, int Uncorrectable)> CorrectClockAsync(string bootId, long wallMinusMonotonicNs, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var (corrected, uncorrectable) = CountWaiting(bootId);
            if (corrected + uncorrectable == 0) return (0, 0);
            var correction = new ClockCorrection(_state.NextSeq - 1, wallMinusMonotonicNs, bootId);
            _log.Append([BufferRecords.Correction(correction)], SegmentPreamble);
            _corrections.Add(correction);
            return (corrected, uncorrectable);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Samples waiting for a trustworthy clock.</summary>
    public async Task<long> UntrustedCountAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var (same, other) = CountWaiting(null);
            return same + other;
        }
        finally { _lock.Release(); }
    }

    /// <summary>Samples still waiting for their clock: of <paramref name="bootId"/>, and of other boots.</summary>
    private (int SameBoot, int OtherBoots) CountWaiting(string? bootId)
    {
        int same = 0, other = 0;
        foreach (var e in _records)
        {
            if (!e.HasClock || _corrections.Any(c => c.UpToSeq >= e.LastSeq)) continue;
            var h = BufferRecords.ReadSamples(_log.Read(e.At));
            foreach (var c in h.Clocks)
            {
                if (c.State != ClockState.Untrusted || _corrections.Any(x => x.UpToSeq >= e.FirstSeq + c.Index)) continue;
                if (h.Boot == bootId) same++; else other++;
            }
        }
        return (same, other);
    }

    /// <summary>Test and operations hook: caps the buffer's size (a new segment beyond it fails as on a full disk).</summary>
    public async Task SetMaxBytesAsync(long bytes, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { _log.MaxBytes = bytes; }
        finally { _lock.Release(); }
    }

    /// <summary>Test and operations hook: refuses writes as read-only media would.</summary>
    public async Task SetReadOnlyAsync(bool on, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { _log.FailWrites = on ? () => new IOException("Read-only file system") : null; }
        finally { _lock.Release(); }
    }

    /// <summary>Closes a read-only view (<see cref="OpenReadOnly"/>).</summary>
    internal void Close()
    {
        _log.Dispose();
        _stateFile?.Dispose();
    }
}
