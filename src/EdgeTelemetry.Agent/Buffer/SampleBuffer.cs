using System.Diagnostics;
using System.Text.Json;
using EdgeTelemetry.Agent.Buffer.Log;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Telemetry goes to the telemetry topic; events (alarms, evictions) to the events topic, ahead of telemetry.</summary>
public enum SampleKind { Telemetry = 0, Event = 1 }

/// <summary>How far a sample's timestamp can be trusted.</summary>
public enum ClockState { Trusted = 0, Untrusted = 1, Corrected = 2, Uncorrectable = 3 }

/// <summary>Where a sample sits on the device's own time line: boot id + monotonic nanoseconds since boot.</summary>
public sealed record ClockStamp(string BootId, long MonotonicNs, bool Trusted);

/// <summary>A sample not yet written to the buffer (it has no sequence number yet).</summary>
public sealed record PendingSample(long TimestampNs, string Measurement, string Equipment, IReadOnlyList<Reading> Readings,
    SampleKind Kind = SampleKind.Telemetry, ClockStamp? Clock = null);

/// <summary>
/// A buffer seen from outside the agent: MaxSeq = highest seq given; Unreceipted = retained samples without a
/// persisted receipt; every sample with a seq below ReceiptedBelow is receipted or was evicted.
/// </summary>
public sealed record BufferPeek(long MaxSeq, long Unreceipted, long ReceiptedBelow);

/// <summary>Sampled = highest seq; Unsent = waiting to be published; Sent = published and retained (receipted or not); Receipted = of those, confirmed stored centrally.</summary>
public sealed record BufferCounts(long Sampled, long Unsent, long Sent, long Receipted = 0)
{
    /// <summary>Published, not yet confirmed stored.</summary>
    public long AwaitingReceipt => Sent - Receipted;
}

/// <summary>What one receipt changed: samples newly receipted (of them dead-lettered), samples already receipted, the send time of the newest.</summary>
public sealed record ReceiptEffect(long Receipted, long Rejected, long AlreadyReceipted, long? NewestSentAtNs, IReadOnlyList<long> SentAtNs);

/// <summary>The buffer's backlog: unsent samples, samples not yet receipted (unsent included), the oldest of each, the highest seq.</summary>
public sealed record Backlog(long Unsent, long? OldestUnsentNs, long MaxSeq, long Unreceipted = 0, long? OldestUnreceiptedNs = null, long? OldestUnreceiptedSeq = null);

/// <summary>What one quota enforcement removed, for counting and for the eviction event.</summary>
public sealed record Eviction(long Count, long FirstSeq, long LastSeq, long SentRowsPruned);

/// <summary>
/// The durable on-device buffer: a directory holding an append-only log of records (docs/reliability.md, "The
/// buffer on disk"). Each commit is one record per kind — the samples already in the wire v2 encoding — written
/// with one direct page write, so the SD card sees about one 4 KiB page a commit (docs/benchmarks.md §2, §9).
/// Which samples are published, receipted or evicted is kept in memory and in a small state file written at a
/// bounded rate: a crash can make the agent send again what was receipted since (duplicates the central service
/// drops), never lose what was committed. Seqs only grow for the life of the directory; a new directory starts
/// a new stream id. Whole segments are deleted once all they hold is receipted (after the retention) or evicted
/// over the quota (counted). A SQLite buffer file of an older agent at the same path is migrated on open.
/// </summary>
public sealed partial class SampleBuffer : IAsyncDisposable
{
    public const int DefaultSegmentBytes = 1 << 20;
    private const string BufferAgentVersion = "buffer/1";
    private const int DecodedCacheRecords = 32;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly SegmentLog _log;
    private readonly StateFile? _stateFile;
    private readonly BufferState _state;
    private readonly bool _readOnly;
    private readonly TimeSpan _progressInterval;
    private readonly SeqSet _receipted;
    private readonly SeqSet _evicted;
    private readonly List<RecordEntry> _records = [];
    private readonly Dictionary<long, RowState> _rows = [];
    private readonly Dictionary<ulong, ChannelDictionary> _dictionaries = [];
    private readonly List<ClockCorrection> _corrections = [];
    private readonly Dictionary<long, Sample[]> _decoded = [];
    private readonly Queue<long> _decodedOrder = new();
    private WireV2Encoder _encoder;
    private ulong _dictionaryWritten;
    private long _lastPersist = Stopwatch.GetTimestamp();
    private bool _dirty;

    /// <summary>One record of samples in the log: where it is and what it holds.</summary>
    private record struct RecordEntry(long FirstSeq, int Count, RecordPosition At, SampleKind Kind, long MinT, long MaxT, bool HasClock)
    {
        public readonly long LastSeq => FirstSeq + Count - 1;
    }

    /// <summary>A published sample: how often it was published, when last, and whether it awaits a receipt (false: queued to go again).</summary>
    private record struct RowState(int Attempts, long SentAtNs, bool Awaiting);

    private SampleBuffer(string path, SegmentLog log, StateFile? stateFile, BufferState state, bool readOnly, TimeSpan progressInterval)
    {
        Path = path;
        _log = log;
        _stateFile = stateFile;
        _state = state;
        _readOnly = readOnly;
        _progressInterval = progressInterval;
        _receipted = SeqSet.Parse(state.Receipted);
        _evicted = SeqSet.Parse(state.EvictedSeqs);
        _encoder = new WireV2Encoder(state.Stream, BufferAgentVersion);
    }

    public string StreamId => _state.Stream;
    public string Path { get; }


    /// <summary>
    /// Opens (or creates) the buffer directory at <paramref name="path"/>. <paramref name="synchronous"/> FULL and
    /// EXTRA write each commit through to the device (O_DSYNC: survives power loss); NORMAL leaves the device's
    /// cache to flush (survives a crash of the agent, not of the power).
    /// </summary>
    public static async Task<SampleBuffer> OpenAsync(string path, string synchronous = "FULL", CancellationToken ct = default,
        int segmentBytes = DefaultSegmentBytes, TimeSpan? progressInterval = null)
    {
        if (synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
            throw new ArgumentException($"buffer synchronous mode '{synchronous}' must be FULL, NORMAL or EXTRA");
        var full = System.IO.Path.GetFullPath(path);
        var durable = synchronous != "NORMAL";
        var legacy = await LegacyBuffer.TakeAsync(full, ct);
        Directory.CreateDirectory(full);
        var buffer = Load(full, durable, readOnly: false, segmentBytes, progressInterval ?? TimeSpan.FromSeconds(30));
        if (legacy is not null)
        {
            await buffer.ImportAsync(legacy, ct);
            LegacyBuffer.Remove(full);
        }
        return buffer;
    }

    /// <summary>The buffer as it is on disk, for reading beside the running agent (export, status): it never writes.</summary>
    internal static SampleBuffer OpenReadOnly(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full) || !File.Exists(System.IO.Path.Combine(full, StateFile.Name)))
            throw new FileNotFoundException($"buffer '{full}' does not exist (buffer.path '{path}' in the agent's config; a relative path is taken from the current directory)", full);
        return Load(full, durable: false, readOnly: true, DefaultSegmentBytes, TimeSpan.MaxValue);
    }

    private static SampleBuffer Load(string dir, bool durable, bool readOnly, int segmentBytes, TimeSpan progressInterval)
    {
        var statePath = System.IO.Path.Combine(dir, StateFile.Name);
        StateFile? stateFile = null;
        BufferState? state;
        if (readOnly) state = StateFile.Read(statePath) ?? throw new InvalidDataException($"'{dir}' holds no readable buffer state");
        else stateFile = StateFile.Open(statePath, durable, out state);
        var created = state is null;
        state ??= new BufferState { Stream = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) };

        var records = new List<(RecordPosition At, byte[] Body)>();
        var log = SegmentLog.Open(dir, readOnly ? 0 : segmentBytes, durable, readOnly, (at, body) =>
        {
            // Samples: only their header is kept for the index (a full buffer must not be read into memory at start).
            if ((RecordType)body[0] is RecordType.Samples) records.Add((at, body[..BufferRecords.ReadSamples(body).PayloadOffset].ToArray()));
            else if ((RecordType)body[0] is RecordType.Dictionary or RecordType.ClockCorrection) records.Add((at, body.ToArray()));
        });
        var buffer = new SampleBuffer(dir, log, stateFile, state, readOnly, progressInterval);
        foreach (var (at, body) in records) buffer.Index(at, body);
        if (created) buffer.Persist();
        return buffer;
    }

    /// <summary>Takes one record found in the log into the in-memory index.</summary>
    private void Index(RecordPosition at, byte[] body)
    {
        switch ((RecordType)body[0])
        {
            case RecordType.Dictionary:
                var dictionary = ChannelDictionary.Parser.ParseFrom(body.AsSpan(1));
                _dictionaries[WireV2.IdOf(dictionary)] = dictionary;
                _encoder = WireV2Encoder.Resume(body.AsSpan(1), _state.Stream, BufferAgentVersion);
                _dictionaryWritten = _encoder.DictionaryId;
                break;
            case RecordType.ClockCorrection:
                _corrections.Add(BufferRecords.ReadCorrection(body));
                break;
            case RecordType.Samples:
                var h = BufferRecords.ReadSamples(body);
                if (_evicted.CountIn(h.FirstSeq, h.FirstSeq + h.Count - 1) == h.Count) return;
                // An event copied forward before its old segment was deleted: the copy is the one kept.
                var i = FindRecord(h.FirstSeq);
                if (i < _records.Count && _records[i].FirstSeq == h.FirstSeq) _records.RemoveAt(i);
                InsertRecord(new RecordEntry(h.FirstSeq, h.Count, at, h.Kind, h.MinT, h.MaxT, h.Clocks.Length > 0));
                _state.NextSeq = Math.Max(_state.NextSeq, h.FirstSeq + h.Count);
                break;
        }
    }

    private void InsertRecord(RecordEntry entry)
    {
        if (_records.Count == 0 || _records[^1].FirstSeq < entry.FirstSeq) _records.Add(entry);
        else _records.Insert(FindRecord(entry.FirstSeq), entry);
    }

    /// <summary>Index of the first record whose last seq is ≥ seq.</summary>
    private int FindRecord(long seq)
    {
        int lo = 0, hi = _records.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_records[mid].LastSeq < seq) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Writes samples as one commit (one record per run of one kind and clock); returns their sequence numbers.</summary>
    public async Task<long[]> AppendAsync(IReadOnlyList<PendingSample> samples, CancellationToken ct = default)
    {
        if (samples.Count == 0) return [];
        await _lock.WaitAsync(ct);
        try
        {
            // Seqs in the order the samples came; one record per run of one kind and clock (seqs are consecutive within a record).
            var groups = new List<(SampleKind Kind, string? Boot, List<int> Indexes)>();
            for (var i = 0; i < samples.Count; i++)
            {
                var boot = samples[i].Clock is { Trusted: false } c ? c.BootId : null;
                if (groups.Count > 0 && groups[^1].Kind == samples[i].Kind && groups[^1].Boot == boot) groups[^1].Indexes.Add(i);
                else groups.Add((samples[i].Kind, boot, [i]));
            }
            var seqs = new long[samples.Count];
            var next = _state.NextSeq;
            var records = new List<PlannedRecord>();
            foreach (var (kind, boot, indexes) in groups)
                foreach (var chunk in indexes.Chunk(PerRecord(samples, indexes)))
                    records.Add(new PlannedRecord(kind, boot, chunk.Select(i => (seqs[i] = next++, samples[i], boot is null ? ClockState.Trusted : ClockState.Untrusted)).ToList()));
            Commit(records);
            return seqs;
        }
        finally { _lock.Release(); }
    }

    /// <summary>A record about to be written: its kind, the boot of its untrusted clocks, its samples with their seqs (consecutive).</summary>
    private sealed record PlannedRecord(SampleKind Kind, string? Boot, List<(long Seq, PendingSample Sample, ClockState Clock)> Items);

    /// <summary>Encodes and writes records as one commit (with the dictionary first when it grew) and indexes them.</summary>
    private void Commit(IReadOnlyList<PlannedRecord> records)
    {
        var before = _encoder.DictionaryId;
        var bodies = records.Select(r => EncodeRecord(r.Kind, r.Boot, r.Items)).ToList();
        // A dictionary that grew between this commit's records: encode them again so all name the one written.
        if (records.Count > 1 && _encoder.DictionaryId != before) bodies = records.Select(r => EncodeRecord(r.Kind, r.Boot, r.Items)).ToList();
        if (_encoder.DictionaryId != _dictionaryWritten) bodies.Insert(0, BufferRecords.Dictionary(_encoder.DictionaryPayload));
        var positions = _log.Append(bodies, SegmentPreamble);
        _dictionaryWritten = _encoder.DictionaryId;
        if (!_dictionaries.ContainsKey(_encoder.DictionaryId)) _dictionaries[_encoder.DictionaryId] = ChannelDictionary.Parser.ParseFrom(_encoder.DictionaryPayload);
        var offset = bodies.Count - records.Count;
        for (var i = 0; i < records.Count; i++)
        {
            var items = records[i].Items;
            InsertRecord(new RecordEntry(items[0].Seq, items.Count, positions[offset + i], records[i].Kind,
                items.Min(x => x.Sample.TimestampNs), items.Max(x => x.Sample.TimestampNs), items.Any(x => x.Clock != ClockState.Trusted)));
            _state.NextSeq = Math.Max(_state.NextSeq, items[^1].Seq + 1);
        }
    }

    /// <summary>Samples per record so that no record outgrows a segment (a commit of MaxSamplesPerCommit samples usually fits whole).</summary>
    private int PerRecord(IReadOnlyList<PendingSample> samples, List<int> indexes) =>
        Math.Max(1, _log.MaxBody / 2 / (64 + indexes.Max(i => samples[i].Readings.Count) * 24));

    private byte[] EncodeRecord(SampleKind kind, string? boot, IReadOnlyList<(long Seq, PendingSample Sample, ClockState Clock)> items)
    {
        var samples = items.Select(x => new Sample(x.Seq, x.Sample.TimestampNs, x.Sample.Measurement, x.Sample.Equipment, x.Sample.Readings)).ToList();
        var payload = _encoder.Encode(samples, sentNs: null, out _);
        var clocks = new List<SampleClock>();
        for (var i = 0; i < items.Count; i++)
            if (items[i].Clock != ClockState.Trusted) clocks.Add(new SampleClock(i, items[i].Clock, items[i].Sample.Clock?.MonotonicNs ?? 0));
        return BufferRecords.Samples(kind, items[0].Seq, items.Count, items.Min(x => x.Sample.TimestampNs), items.Max(x => x.Sample.TimestampNs), boot, clocks, payload);
    }

    /// <summary>What a new segment starts with so it can be read on its own: the dictionary.</summary>
    private byte[]? SegmentPreamble() => _encoder.DictionaryId == 0 ? null : BufferRecords.Dictionary(_encoder.DictionaryPayload);

    /// <summary>The oldest unsent samples of one kind, in sequence order.</summary>
    public Task<IReadOnlyList<Sample>> ReadUnsentAsync(int max, SampleKind kind = SampleKind.Telemetry, CancellationToken ct = default) =>
        ReadUnsentAsync(max, kind, 0, long.MaxValue, ct);

    /// <summary>
    /// The oldest unsent samples of one kind with fromSeq ≤ seq &lt; toSeq (a publishing lane), in sequence order.
    /// Samples whose clock is not yet trusted wait until it is (see <see cref="CorrectClockAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<Sample>> ReadUnsentAsync(int max, SampleKind kind, long fromSeq, long toSeq, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var result = new List<Sample>();
            for (var r = FindRecord(fromSeq); r < _records.Count && result.Count < max; r++)
            {
                var e = _records[r];
                if (e.FirstSeq >= toSeq) break;
                if (e.Kind != kind || _receipted.CountIn(e.FirstSeq, e.LastSeq) == e.Count) continue;
                foreach (var s in Decode(e))
                {
                    if (s.Seq < fromSeq || s.Seq >= toSeq || _receipted.Contains(s.Seq) || _rows.TryGetValue(s.Seq, out var row) && row.Awaiting) continue;
                    if (ReferenceEquals(s.Readings, Waiting)) continue;
                    result.Add(s);
                    if (result.Count == max) break;
                }
            }
            return result;
        }
        finally { _lock.Release(); }
    }

    /// <summary>Every retained sample after <paramref name="afterSeq"/>, sent or not, in sequence order.</summary>
    public async Task<IReadOnlyList<Sample>> ReadAfterAsync(long afterSeq, int max, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var result = new List<Sample>();
            for (var r = FindRecord(afterSeq + 1); r < _records.Count && result.Count < max; r++)
                foreach (var s in Decode(_records[r]))
                    if (s.Seq > afterSeq && !ReferenceEquals(s.Readings, Waiting) && result.Count < max) result.Add(s);
            return result;
        }
        finally { _lock.Release(); }
    }

    /// <summary>Every retained sample in seq order with its kind, whether it is receipted and whether it waits for its clock (read-only views: export).</summary>
    internal IEnumerable<(Sample Sample, SampleKind Kind, bool Receipted, bool WaitingForClock)> ReadRetained()
    {
        foreach (var e in _records.ToList())
            foreach (var s in Decode(e))
                yield return (s, e.Kind, _receipted.Contains(s.Seq), ReferenceEquals(s.Readings, Waiting));
    }

    /// <summary>Marks a sample that waits for a trustworthy clock (its readings list is this instance).</summary>
    private static readonly IReadOnlyList<Reading> Waiting = Array.Empty<Reading>();

    /// <summary>
    /// A record's samples as the publisher sends them: a corrected clock gives t = mono + offset and a
    /// clock_corrected reading, an uncorrectable one a clock_uncertain reading (docs/data-model.md); a sample
    /// still waiting for its clock comes back with <see cref="Waiting"/> as its readings.
    /// </summary>
    private Sample[] Decode(RecordEntry e)
    {
        if (_decoded.TryGetValue(e.FirstSeq, out var cached)) return cached;
        var body = _log.Read(e.At);
        var h = BufferRecords.ReadSamples(body);
        var batch = WireV2.TryDecode(body.AsSpan(h.PayloadOffset), "", "", id => _dictionaries.GetValueOrDefault(id), int.MaxValue, int.MaxValue, out var error)
            ?? throw new InvalidDataException($"buffer record of seqs {e.FirstSeq}-{e.LastSeq} does not decode: {error?.Detail}");
        // The decoder fills every name from the dictionary; the v1 object model just allows nulls.
        var samples = batch.Samples!.Select(w => new Sample(w.Seq, w.TimestampNs, w.Measurement!, w.Equipment!,
            w.Readings!.Select(x => new Reading(x.Name!, x.Value, x.Unit!)).ToList())).ToArray();
        foreach (var c in h.Clocks)
        {
            var s = samples[c.Index];
            var state = c.State;
            var t = s.TimestampNs;
            if (state == ClockState.Untrusted && _corrections.FirstOrDefault(x => x.UpToSeq >= s.Seq) is { Boot: not null } fix)
            {
                state = fix.Boot == h.Boot ? ClockState.Corrected : ClockState.Uncorrectable;
                if (state == ClockState.Corrected) t = c.MonotonicNs + fix.OffsetNs;
            }
            samples[c.Index] = state switch
            {
                ClockState.Untrusted => s with { Readings = Waiting },
                ClockState.Corrected => s with { TimestampNs = t, Readings = [.. s.Readings, new Reading("clock_corrected", 1, Units.None)] },
                ClockState.Uncorrectable => s with { Readings = [.. s.Readings, new Reading("clock_uncertain", 1, Units.None)] },
                _ => s,
            };
        }
        if (_decodedOrder.Count >= DecodedCacheRecords) _decoded.Remove(_decodedOrder.Dequeue());
        // A record whose samples still wait for their clock changes when it is corrected: not cached.
        if (!samples.Any(s => ReferenceEquals(s.Readings, Waiting)))
        {
            _decoded[e.FirstSeq] = samples;
            _decodedOrder.Enqueue(e.FirstSeq);
        }
        return samples;
    }

    /// <summary>A value the publisher keeps with the buffer (its wire-v2 dictionary), null when never set.</summary>
    public async Task<string?> GetMetaAsync(string key, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return _state.Meta.GetValueOrDefault(key); }
        finally { _lock.Release(); }
    }

    /// <summary>Kept with the next state write (a crash before it only costs a new dictionary id).</summary>
    public async Task SetMetaAsync(string key, string value, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            _state.Meta[key] = value;
            _dirty = true;
            PersistIfDue();
        }
        finally { _lock.Release(); }
    }

    /// <summary>Writes the state now if it changed (a clean stop).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { if (_dirty) Persist(); }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Operations and tests: forgets every receipt the buffer at <paramref name="path"/> recorded (the agent must be
    /// stopped), so that the next start sends everything the buffer still holds again — duplicates the central
    /// service drops, as after a lost receipt.
    /// </summary>
    public static async Task ForgetReceiptsAsync(string path, CancellationToken ct = default)
    {
        await using var buffer = await OpenAsync(path, ct: ct);
        await buffer._lock.WaitAsync(ct);
        try
        {
            buffer._receipted.RemoveBelow(long.MaxValue);
            buffer._rows.Clear();
            buffer._dirty = true;
        }
        finally { buffer._lock.Release(); }
    }

    /// <summary>
    /// Reads every record of the buffer at <paramref name="path"/> back (checksums and decoding), read-only, beside a
    /// running agent: "ok", or what is wrong and where.
    /// </summary>
    public static string Verify(string path)
    {
        SampleBuffer buffer;
        try { buffer = OpenReadOnly(path); }
        catch (Exception ex) when (ex is IOException or InvalidDataException) { return ex.Message; }
        try
        {
            long previous = 0;
            foreach (var (sample, _, _, _) in buffer.ReadRetained())
            {
                if (sample.Seq <= previous) return $"seq {sample.Seq} after {previous}: the records are out of order";
                previous = sample.Seq;
            }
            return "ok";
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException) { return ex.Message; }
        finally { buffer.Close(); }
    }

    /// <summary>Writes the state now if it changed and the last write is older than the progress interval.</summary>
    public async Task PersistIfDueAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { PersistIfDue(); }
        finally { _lock.Release(); }
    }

    private void PersistIfDue()
    {
        if (_dirty && Stopwatch.GetElapsedTime(_lastPersist) >= _progressInterval) Persist();
    }

    /// <summary>
    /// Writes the state: receipted and evicted ranges only from the oldest seq still held (older ones need no
    /// state), receipted ranges thinned if they outgrow the slot (forgetting one only costs a re-send).
    /// </summary>
    private void Persist()
    {
        if (_readOnly || _stateFile is null) return;
        var oldest = _records.Count > 0 ? _records[0].FirstSeq : _state.NextSeq;
        _receipted.RemoveBelow(oldest);
        _evicted.RemoveBelow(oldest);
        _state.Receipted = _receipted.ToString();
        _state.EvictedSeqs = _evicted.ToString();
        var json = JsonSerializer.SerializeToUtf8Bytes(_state, BufferJsonContext.Default.BufferState);
        while (json.Length > StateFile.Capacity && _receipted.Ranges.Count > 1)
        {
            _receipted.KeepLargest(_receipted.Ranges.Count / 2);
            _state.Receipted = _receipted.ToString();
            json = JsonSerializer.SerializeToUtf8Bytes(_state, BufferJsonContext.Default.BufferState);
        }
        _stateFile.Write(json);
        _lastPersist = Stopwatch.GetTimestamp();
        _dirty = false;
    }

    public async Task<BufferCounts> CountAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var (retained, receipted) = RetainedAndReceipted();
            var awaiting = _rows.Values.Count(r => r.Awaiting);
            return new BufferCounts(_state.NextSeq - 1, retained - receipted - awaiting, receipted + awaiting, receipted);
        }
        finally { _lock.Release(); }
    }

    private (long Retained, long Receipted) RetainedAndReceipted()
    {
        long retained = 0, receipted = 0;
        foreach (var e in _records)
        {
            retained += e.Count;
            receipted += _receipted.CountIn(e.FirstSeq, e.LastSeq);
        }
        return (retained, receipted);
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (_dirty) Persist();
            _log.Dispose();
            _stateFile?.Dispose();
        }
        finally { _lock.Release(); }
    }
}
