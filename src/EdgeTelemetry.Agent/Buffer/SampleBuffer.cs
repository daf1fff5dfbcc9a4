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

public sealed record BufferCounts(long Sampled, long Unsent, long Sent);

/// <summary>What one quota enforcement removed, for counting and for the eviction event.</summary>
public sealed record Eviction(long Count, long FirstSeq, long LastSeq, long SentRowsPruned);

/// <summary>
/// The durable on-device buffer (SQLite, WAL). The row id is the stream's sequence number:
/// AUTOINCREMENT never reuses an id, so sequence numbers only grow for the life of the file, and a
/// new file starts a new stream id. Rows are marked sent only after the broker's PUBACK; unsent rows
/// leave only through counted eviction when the disk quota is reached.
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
            """, ct);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key='stream_id'";
        var stream = (string)(await cmd.ExecuteScalarAsync(ct))!;
        return new SampleBuffer(db, stream, path);
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

    /// <summary>Marks samples sent (call only after the broker acknowledged them).</summary>
    public async Task MarkSentAsync(IReadOnlyCollection<long> seqs, CancellationToken ct = default)
    {
        if (seqs.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            await using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE samples SET sent = 1 WHERE seq = $seq";
            var p = cmd.Parameters.Add("$seq", SqliteType.Integer);
            foreach (var seq in seqs)
            {
                p.Value = seq;
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Deletes sent rows older than the cut-off; unsent rows are never pruned here.</summary>
    public async Task<int> PruneSentAsync(long olderThanNs, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM samples WHERE sent = 1 AND t < $t";
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
                       (SELECT COUNT(*) FROM samples WHERE sent = 1)
                """;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new BufferCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
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
