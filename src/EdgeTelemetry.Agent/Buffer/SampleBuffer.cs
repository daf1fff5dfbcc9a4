using System.Text.Json;
using EdgeTelemetry.Model;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Telemetry goes to the telemetry topic; events (alarms, evictions) to the events topic, ahead of telemetry.</summary>
public enum SampleKind { Telemetry = 0, Event = 1 }

/// <summary>How far a sample's timestamp can be trusted (column clk).</summary>
public enum ClockState { Trusted = 0, Untrusted = 1, Corrected = 2, Uncorrectable = 3 }

/// <summary>Where a sample sits on the device's own time line: boot id + monotonic nanoseconds since boot.</summary>
public sealed record ClockStamp(string BootId, long MonotonicNs, bool Trusted);

/// <summary>A sample not yet written to the buffer (it has no sequence number yet).</summary>
public sealed record PendingSample(long TimestampNs, string Measurement, string Equipment, IReadOnlyList<Reading> Readings,
    SampleKind Kind = SampleKind.Telemetry, ClockStamp? Clock = null);

/// <summary>Where rows stand (column sent): not yet published, published and awaiting a receipt, receipted (stored or dead-lettered centrally).</summary>
public enum SendState { Unsent = 0, AwaitingReceipt = 1, Receipted = 2 }

/// <summary>Sampled = highest seq; Unsent = waiting to be published; Sent = published and retained (receipted or not); Receipted = of those, confirmed stored centrally.</summary>
public sealed record BufferCounts(long Sampled, long Unsent, long Sent, long Receipted = 0)
{
    /// <summary>Published, not yet confirmed stored.</summary>
    public long AwaitingReceipt => Sent - Receipted;
}

/// <summary>What one receipt changed: rows newly receipted (of them dead-lettered), rows already receipted, the send time of the newest.</summary>
public sealed record ReceiptEffect(long Receipted, long Rejected, long AlreadyReceipted, long? NewestSentAtNs, IReadOnlyList<long> SentAtNs);

/// <summary>The buffer's backlog: unsent rows, rows not yet receipted (unsent included), the oldest of each, the highest seq.</summary>
public sealed record Backlog(long Unsent, long? OldestUnsentNs, long MaxSeq, long Unreceipted = 0, long? OldestUnreceiptedNs = null, long? OldestUnreceiptedSeq = null);

/// <summary>What one quota enforcement removed, for counting and for the eviction event.</summary>
public sealed record Eviction(long Count, long FirstSeq, long LastSeq, long SentRowsPruned);

/// <summary>
/// The durable on-device buffer (SQLite, WAL). The row id is the stream's sequence number:
/// AUTOINCREMENT never reuses an id, so sequence numbers only grow for the life of the file, and a
/// new file starts a new stream id. A row is marked sent after the broker's PUBACK and receipted
/// once the central service's receipt says it is stored (or dead-lettered); only receipted rows are
/// pruned, and an unreceipted row leaves only through counted eviction when the disk quota is reached.
/// </summary>
public sealed partial class SampleBuffer : IAsyncDisposable
{
    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _lock = new(1, 1);

    private SampleBuffer(SqliteConnection db, string streamId, string path)
    {
        _db = db;
        StreamId = streamId;
        Path = path;
    }

    public string StreamId { get; }
    public string Path { get; }

    public static async Task<SampleBuffer> OpenAsync(string path, string synchronous = "FULL", CancellationToken ct = default)
    {
        if (synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
            throw new ArgumentException($"buffer synchronous mode '{synchronous}' must be FULL, NORMAL or EXTRA");
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await db.OpenAsync(ct);
        await ExecAsync(db, $"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous={synchronous};
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS samples(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                t INTEGER NOT NULL,
                m TEXT NOT NULL,
                eq TEXT NOT NULL,
                r TEXT NOT NULL,
                sent INTEGER NOT NULL DEFAULT 0,
                kind INTEGER NOT NULL DEFAULT 0,
                clk INTEGER NOT NULL DEFAULT 0,
                boot TEXT,
                mono INTEGER);
            CREATE INDEX IF NOT EXISTS ix_samples_sent_kind_seq ON samples(sent, kind, seq);
            INSERT OR IGNORE INTO meta(key, value) VALUES('stream_id', lower(hex(randomblob(16))));
            INSERT OR IGNORE INTO meta(key, value) VALUES('evicted', '0');
            INSERT OR IGNORE INTO meta(key, value) VALUES('resent', '0');
            INSERT OR IGNORE INTO meta(key, value) VALUES('receipt_rejected', '0');
            """, ct);
        await MigrateAsync(db, ct);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key='stream_id'";
        var stream = (string)(await cmd.ExecuteScalarAsync(ct))!;
        return new SampleBuffer(db, stream, path);
    }

    /// <summary>
    /// Schema 2 adds sent_at (when the broker acknowledged the row, ns) and attempts (publications),
    /// for receipts. Rows a version-1 agent marked sent had only a PUBACK; they were delivered under
    /// that version's contract and become receipted rather than being sent again.
    /// </summary>
    private static async Task MigrateAsync(SqliteConnection db, CancellationToken ct)
    {
        await using var version = db.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        if (Convert.ToInt64(await version.ExecuteScalarAsync(ct)) >= 2) return;
        await ExecAsync(db, $"""
            BEGIN IMMEDIATE;
            ALTER TABLE samples ADD COLUMN sent_at INTEGER;
            ALTER TABLE samples ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
            UPDATE samples SET sent = {(int)SendState.Receipted} WHERE sent = {(int)SendState.AwaitingReceipt};
            PRAGMA user_version = 2;
            COMMIT;
            """, ct);
    }

    /// <summary>Writes samples in one transaction; returns their sequence numbers.</summary>
    public async Task<long[]> AppendAsync(IReadOnlyList<PendingSample> samples, CancellationToken ct = default)
    {
        if (samples.Count == 0) return [];
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            await using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO samples(t, m, eq, r, kind, clk, boot, mono) VALUES($t, $m, $eq, $r, $kind, $clk, $boot, $mono) RETURNING seq";
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            var m = cmd.Parameters.Add("$m", SqliteType.Text);
            var eq = cmd.Parameters.Add("$eq", SqliteType.Text);
            var r = cmd.Parameters.Add("$r", SqliteType.Text);
            var kind = cmd.Parameters.Add("$kind", SqliteType.Integer);
            var clk = cmd.Parameters.Add("$clk", SqliteType.Integer);
            var boot = cmd.Parameters.Add("$boot", SqliteType.Text);
            var mono = cmd.Parameters.Add("$mono", SqliteType.Integer);
            var seqs = new long[samples.Count];
            for (var i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                t.Value = s.TimestampNs;
                m.Value = s.Measurement;
                eq.Value = s.Equipment;
                kind.Value = (int)s.Kind;
                clk.Value = (int)(s.Clock is { Trusted: false } ? ClockState.Untrusted : ClockState.Trusted);
                boot.Value = (object?)s.Clock?.BootId ?? DBNull.Value;
                mono.Value = (object?)s.Clock?.MonotonicNs ?? DBNull.Value;
                r.Value = JsonSerializer.Serialize(s.Readings.Select(x => new StoredReading(x.Name, x.Value, x.Unit)).ToArray(), BufferJsonContext.Default.StoredReadingArray);
                seqs[i] = (long)(await cmd.ExecuteScalarAsync(ct))!;
            }
            await tx.CommitAsync(ct);
            return seqs;
        }
        finally { _lock.Release(); }
    }

    /// <summary>The oldest unsent samples of one kind, in sequence order.</summary>
    public Task<IReadOnlyList<Sample>> ReadUnsentAsync(int max, SampleKind kind = SampleKind.Telemetry, CancellationToken ct = default) =>
        ReadUnsentAsync(max, kind, 0, long.MaxValue, ct);

    /// <summary>
    /// The oldest unsent samples of one kind with fromSeq ≤ seq &lt; toSeq (a publishing lane), in
    /// sequence order. Samples whose clock is not yet trusted wait until it is (see <see cref="CorrectClockAsync"/>).
    /// </summary>
    public Task<IReadOnlyList<Sample>> ReadUnsentAsync(int max, SampleKind kind, long fromSeq, long toSeq, CancellationToken ct = default) =>
        QueryAsync($"SELECT seq, t, m, eq, r, clk FROM samples WHERE sent = 0 AND kind = {(int)kind} AND seq >= $from AND seq < $to AND clk <> {(int)ClockState.Untrusted} ORDER BY seq LIMIT $n",
            max, fromSeq, toSeq, ct);

    /// <summary>Every retained sample after <paramref name="afterSeq"/>, sent or not, in sequence order.</summary>
    public Task<IReadOnlyList<Sample>> ReadAfterAsync(long afterSeq, int max, CancellationToken ct = default) =>
        QueryAsync("SELECT seq, t, m, eq, r, clk FROM samples WHERE seq >= $from AND seq < $to ORDER BY seq LIMIT $n", max, afterSeq + 1, long.MaxValue, ct);

    private async Task<IReadOnlyList<Sample>> QueryAsync(string sql, int max, long from, long to, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$n", max);
            cmd.Parameters.AddWithValue("$from", from);
            cmd.Parameters.AddWithValue("$to", to);
            var result = new List<Sample>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var readings = JsonSerializer.Deserialize(reader.GetString(4), BufferJsonContext.Default.StoredReadingArray)!
                    .Select(x => new Reading(x.N, x.V, x.U)).ToList();
                // The data says how far its time can be trusted (docs/data-model.md).
                switch ((ClockState)reader.GetInt32(5))
                {
                    case ClockState.Corrected: readings.Add(new Reading("clock_corrected", 1, Units.None)); break;
                    case ClockState.Uncorrectable: readings.Add(new Reading("clock_uncertain", 1, Units.None)); break;
                }
                result.Add(new Sample(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), readings));
            }
            return result;
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Marks samples published (call only after the broker acknowledged them): awaiting a receipt,
    /// or receipted at once when <paramref name="receipted"/> (a central service without receipts:
    /// the PUBACK is all there is). A row a receipt already covered stays receipted.
    /// </summary>
    public async Task MarkSentAsync(IReadOnlyCollection<long> seqs, long sentAtNs = 0, bool receipted = false, CancellationToken ct = default)
    {
        if (seqs.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            await using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            // Every publication counts (attempts), also one that raced a receipt: a re-publication is
            // what the central service sees as a duplicate, so 'resent' counts exactly those.
            const int receiptedState = (int)SendState.Receipted;
            cmd.CommandText = $"UPDATE samples SET sent = CASE WHEN sent = {receiptedState} THEN sent ELSE $state END, "
                + $"sent_at = CASE WHEN sent = {receiptedState} THEN sent_at ELSE $at END, attempts = attempts + 1 WHERE seq = $seq RETURNING attempts";
            cmd.Parameters.AddWithValue("$state", (int)(receipted ? SendState.Receipted : SendState.AwaitingReceipt));
            cmd.Parameters.AddWithValue("$at", sentAtNs);
            var p = cmd.Parameters.Add("$seq", SqliteType.Integer);
            long again = 0;
            foreach (var seq in seqs)
            {
                p.Value = seq;
                if (await cmd.ExecuteScalarAsync(ct) is long attempts && attempts > 1) again++;
            }
            if (again > 0) await AddToMetaAsync(tx, "resent", again, ct);
            await tx.CommitAsync(ct);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Applies a receipt: the rows of <paramref name="stored"/> and <paramref name="rejected"/> are
    /// receipted (a row waiting to be re-sent, too: the receipt came late, not never). Rejected rows
    /// are counted (meta 'receipt_rejected'): the central service holds them as dead letters.
    /// </summary>
    public async Task<ReceiptEffect> ApplyReceiptAsync(IReadOnlyList<(long From, long To)> stored, IReadOnlyList<(long From, long To)> rejected, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            long receipted = 0, rejectedCount = 0, covered = 0;
            long? newest = null;
            var sentAt = new HashSet<long>();
            foreach (var (ranges, isRejected) in new[] { (stored, false), (rejected, true) })
            {
                foreach (var (from, to) in ranges)
                {
                    await using var cmd = _db.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = $"UPDATE samples SET sent = {(int)SendState.Receipted} WHERE seq BETWEEN $from AND $to AND sent <> {(int)SendState.Receipted} RETURNING sent_at";
                    cmd.Parameters.AddWithValue("$from", from);
                    cmd.Parameters.AddWithValue("$to", to);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        receipted++;
                        if (isRejected) rejectedCount++;
                        if (reader.IsDBNull(0) || reader.GetInt64(0) <= 0) continue;
                        var at = reader.GetInt64(0);
                        sentAt.Add(at);
                        if (newest is null || at > newest) newest = at;
                    }
                    covered += to - from + 1;
                }
            }
            if (rejectedCount > 0) await AddToMetaAsync(tx, "receipt_rejected", rejectedCount, ct);
            await tx.CommitAsync(ct);
            // Rows of the ranges that were no longer here (pruned or evicted) count as neither.
            return new ReceiptEffect(receipted, rejectedCount, Math.Max(0, covered - receipted), newest, [.. sentAt]);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Sends again (marks unsent) rows awaiting a receipt that were published before
    /// <paramref name="sentBeforeNs"/> (a receipt for later rows shows they went missing) and, with
    /// <paramref name="timeoutNs"/>, whose receipt is overdue: published more than timeout × 2^(attempts−1)
    /// ago (at most × 64), so a long central outage does not multiply the broker's queue. Both
    /// conditions must hold when both are given; none: every row awaiting a receipt. Returns the rows
    /// queued; each is counted (meta 'resent') when it is published again.
    /// </summary>
    public async Task<long> ResendAsync(long nowNs, long? sentBeforeNs = null, long? timeoutNs = null, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            await using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            var conditions = new List<string>();
            if (sentBeforeNs is { } before) { conditions.Add("sent_at < $before"); cmd.Parameters.AddWithValue("$before", before); }
            if (timeoutNs is { } timeout)
            {
                conditions.Add("sent_at + $timeout * (1 << MIN(MAX(attempts - 1, 0), 6)) < $now");
                cmd.Parameters.AddWithValue("$timeout", Math.Max(1, timeout));
                cmd.Parameters.AddWithValue("$now", nowNs);
            }
            cmd.CommandText = $"UPDATE samples SET sent = {(int)SendState.Unsent} WHERE sent = {(int)SendState.AwaitingReceipt}"
                + string.Concat(conditions.Select(c => " AND " + c));
            var n = await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            return n;
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Sends again the rows of <paramref name="ranges"/> that await a receipt (the central service deferred them:
    /// it lacked their wire-v2 dictionary). Returns the rows queued.
    /// </summary>
    public async Task<long> ResendAsync(IReadOnlyList<(long From, long To)> ranges, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            long n = 0;
            foreach (var (from, to) in ranges)
            {
                await using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = $"UPDATE samples SET sent = {(int)SendState.Unsent} WHERE sent = {(int)SendState.AwaitingReceipt} AND seq BETWEEN $from AND $to";
                cmd.Parameters.AddWithValue("$from", from);
                cmd.Parameters.AddWithValue("$to", to);
                n += await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return n;
        }
        finally { _lock.Release(); }
    }

    /// <summary>A value the publisher keeps with the buffer (its wire-v2 dictionary), null when never set.</summary>
    public async Task<string?> GetMetaAsync(string key, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT value FROM meta WHERE key = $key";
            cmd.Parameters.AddWithValue("$key", key);
            return await cmd.ExecuteScalarAsync(ct) as string;
        }
        finally { _lock.Release(); }
    }

    public async Task SetMetaAsync(string key, string value, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$key", key);
            cmd.Parameters.AddWithValue("$value", value);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Publications beyond a row's first (each a possible duplicate centrally, never a loss), and rows the central service dead-lettered.</summary>
    public async Task<(long Resent, long ReceiptRejected)> ReceiptCountersAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return (await ScalarAsync("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'resent'", ct),
                await ScalarAsync("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'receipt_rejected'", ct));
        }
        finally { _lock.Release(); }
    }

    private async Task AddToMetaAsync(SqliteTransaction tx, string key, long n, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE meta SET value = CAST(value AS INTEGER) + $n WHERE key = $key";
        cmd.Parameters.AddWithValue("$n", n);
        cmd.Parameters.AddWithValue("$key", key);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes receipted rows older than the cut-off; rows not yet receipted are never pruned here.</summary>
    public async Task<int> PruneSentAsync(long olderThanNs, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = $"DELETE FROM samples WHERE sent = {(int)SendState.Receipted} AND t < $t";
            cmd.Parameters.AddWithValue("$t", olderThanNs);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        finally { _lock.Release(); }
    }

    public async Task<BufferCounts> CountAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0),
                       (SELECT COUNT(*) FROM samples WHERE sent = 0),
                       (SELECT COUNT(*) FROM samples WHERE sent >= 1),
                       (SELECT COUNT(*) FROM samples WHERE sent = 2)
                """;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new BufferCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        finally { _lock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try { await _db.DisposeAsync(); }
        finally { _lock.Release(); }
    }

    private static async Task ExecAsync(SqliteConnection db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
