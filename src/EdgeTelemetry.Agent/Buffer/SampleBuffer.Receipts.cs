namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Publication and receipt state: in memory, persisted at a bounded rate (a crash re-sends, never loses).</summary>
public sealed partial class SampleBuffer
{
    /// <summary>
    /// Marks samples published (call only after the broker acknowledged them): awaiting a receipt, or receipted
    /// at once when <paramref name="receipted"/> (a central service without receipts: the PUBACK is all there is).
    /// A sample a receipt already covered stays receipted.
    /// </summary>
    public async Task MarkSentAsync(IReadOnlyCollection<long> seqs, long sentAtNs = 0, bool receipted = false, CancellationToken ct = default)
    {
        if (seqs.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            // Every publication counts: one after the first is what the central service sees as a duplicate.
            long again = 0;
            foreach (var seq in seqs)
            {
                if (_receipted.Contains(seq)) continue;
                var attempts = _rows.TryGetValue(seq, out var row) ? row.Attempts + 1 : 1;
                if (attempts > 1) again++;
                if (receipted)
                {
                    _rows.Remove(seq);
                    _receipted.Add(seq, seq);
                }
                else _rows[seq] = new RowState(attempts, sentAtNs, Awaiting: true);
            }
            _state.Resent += again;
            _dirty |= again > 0 || receipted;
            PersistIfDue();
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Applies a receipt: the samples of <paramref name="stored"/> and <paramref name="rejected"/> are receipted (one
    /// waiting to be re-sent, too: the receipt came late, not never). Rejected samples are counted: the central
    /// service holds them as dead letters.
    /// </summary>
    public async Task<ReceiptEffect> ApplyReceiptAsync(IReadOnlyList<(long From, long To)> stored, IReadOnlyList<(long From, long To)> rejected, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            long receipted = 0, rejectedCount = 0, covered = 0;
            long? newest = null;
            var sentAt = new HashSet<long>();
            foreach (var (ranges, isRejected) in new[] { (stored, false), (rejected, true) })
            {
                foreach (var (from, to) in ranges)
                {
                    covered += to - from + 1;
                    // Only seqs still held count as newly receipted (pruned or evicted ones are neither).
                    for (var r = FindRecord(from); r < _records.Count && _records[r].FirstSeq <= to; r++)
                    {
                        var e = _records[r];
                        for (var seq = Math.Max(from, e.FirstSeq); seq <= Math.Min(to, e.LastSeq); seq++)
                        {
                            if (_receipted.Contains(seq)) continue;
                            receipted++;
                            if (isRejected) rejectedCount++;
                            if (_rows.Remove(seq, out var row) && row.SentAtNs > 0)
                            {
                                sentAt.Add(row.SentAtNs);
                                if (newest is null || row.SentAtNs > newest) newest = row.SentAtNs;
                            }
                        }
                    }
                    // Never beyond what was sampled: a receipt cannot settle a seq not yet given out.
                    _receipted.Add(from, Math.Min(to, _state.NextSeq - 1));
                }
            }
            _state.ReceiptRejected += rejectedCount;
            _dirty = true;
            PersistIfDue();
            return new ReceiptEffect(receipted, rejectedCount, Math.Max(0, covered - receipted), newest, [.. sentAt]);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Sends again (marks unsent) samples awaiting a receipt that were published before <paramref name="sentBeforeNs"/>
    /// (a receipt for later ones shows they went missing) and, with <paramref name="timeoutNs"/>, whose receipt is
    /// overdue: published more than timeout × 2^(attempts−1) ago (at most × 64), so a long central outage does not
    /// multiply the broker's queue. Both conditions must hold when both are given; none: every sample awaiting a
    /// receipt. Returns the samples queued; each is counted as resent when it is published again.
    /// </summary>
    public async Task<long> ResendAsync(long nowNs, long? sentBeforeNs = null, long? timeoutNs = null, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var due = new List<long>();
            foreach (var (seq, row) in _rows)
            {
                if (!row.Awaiting) continue;
                if (sentBeforeNs is { } before && row.SentAtNs >= before) continue;
                if (timeoutNs is { } timeout && row.SentAtNs + Math.Max(1, timeout) * (1L << Math.Clamp(row.Attempts - 1, 0, 6)) >= nowNs) continue;
                due.Add(seq);
            }
            foreach (var seq in due) _rows[seq] = _rows[seq] with { Awaiting = false };
            return due.Count;
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Sends again the samples of <paramref name="ranges"/> that await a receipt (the central service deferred them:
    /// it lacked their wire-v2 dictionary). Returns the samples queued.
    /// </summary>
    public async Task<long> ResendAsync(IReadOnlyList<(long From, long To)> ranges, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var due = _rows.Where(x => x.Value.Awaiting && ranges.Any(r => x.Key >= r.From && x.Key <= r.To)).Select(x => x.Key).ToList();
            foreach (var seq in due) _rows[seq] = _rows[seq] with { Awaiting = false };
            return due.Count;
        }
        finally { _lock.Release(); }
    }

    /// <summary>Publications beyond a sample's first (each a possible duplicate centrally, never a loss), and samples the central service dead-lettered.</summary>
    public async Task<(long Resent, long ReceiptRejected)> ReceiptCountersAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return (_state.Resent, _state.ReceiptRejected); }
        finally { _lock.Release(); }
    }
}
