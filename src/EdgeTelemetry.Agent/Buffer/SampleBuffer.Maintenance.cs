using EdgeTelemetry.Model;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Quota, eviction, backlog figures and clock correction.</summary>
public sealed partial class SampleBuffer
{
    /// <summary>
    /// Counts in a buffer file from outside the agent (status tools, tests), read-only; WAL lets a
    /// reader in beside the running agent. Zeros while the file does not exist yet.
    /// </summary>
    public static async Task<(long MaxSeq, long Unsent, long Unreceipted)> PeekAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path)) return (0, 0, 0);
        try
        {
            await using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            await db.OpenAsync(ct);
            await using var cmd = db.CreateCommand();
            cmd.CommandText = """
                SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0),
                       (SELECT COUNT(*) FROM samples WHERE sent = 0),
                       (SELECT COUNT(*) FROM samples WHERE sent < 2)
                """;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (SqliteException)
        {
            return (0, 0, 0); // being created by the agent
        }
    }

    /// <summary>Bytes the rows occupy (pages in use; freed pages are reused, the file does not shrink).</summary>
    public async Task<long> UsedBytesAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return await UsedBytesUnlockedAsync(ct); }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Keeps the buffer under <paramref name="quotaBytes"/>: first receipted rows (kept only for
    /// inspection), then the oldest unreceipted telemetry, and events only when no telemetry is left,
    /// down to 80 % of the quota. Every unreceipted row removed is counted (meta 'evicted') and returned.
    /// </summary>
    public async Task<Eviction?> EnforceQuotaAsync(long quotaBytes, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var used = await UsedBytesUnlockedAsync(ct);
            if (used <= quotaBytes) return null;
            // Down to 80 %: evictions come in a few larger runs rather than one per commit.
            var target = quotaBytes * 8 / 10;
            long pruned = 0, evicted = 0, first = long.MaxValue, last = 0;
            foreach (var (filter, counts) in new[] { ("sent = 2", false), ("sent < 2 AND kind = 0", true), ("sent < 2", true) })
            {
                while (used > target)
                {
                    var rows = await ScalarAsync("SELECT COUNT(*) FROM samples", ct);
                    if (rows == 0) break;
                    // Delete in chunks sized from the average row, so one pass lands near the target.
                    var chunk = Math.Max(64, (long)Math.Ceiling((used - target) / Math.Max(1.0, (double)used / rows)));
                    await using var cmd = _db.CreateCommand();
                    cmd.CommandText = $"DELETE FROM samples WHERE seq IN (SELECT seq FROM samples WHERE {filter} ORDER BY seq LIMIT $n) RETURNING seq";
                    cmd.Parameters.AddWithValue("$n", chunk);
                    var deleted = 0;
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                        {
                            deleted++;
                            if (!counts) continue;
                            var seq = reader.GetInt64(0);
                            first = Math.Min(first, seq);
                            last = Math.Max(last, seq);
                        }
                    }
                    if (deleted == 0) break;
                    if (counts) evicted += deleted; else pruned += deleted;
                    used = await UsedBytesUnlockedAsync(ct);
                }
            }
            if (evicted > 0)
            {
                await using var cmd = _db.CreateCommand();
                cmd.CommandText = "UPDATE meta SET value = CAST(value AS INTEGER) + $n WHERE key = 'evicted'";
                cmd.Parameters.AddWithValue("$n", evicted);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            return new Eviction(evicted, evicted > 0 ? first : 0, last, pruned);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Unsent rows evicted over the life of this buffer.</summary>
    public async Task<long> EvictedTotalAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return await ScalarAsync("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'evicted'", ct); }
        finally { _lock.Release(); }
    }

    /// <summary>Unsent and unreceipted rows with the oldest of each, and the highest seq.</summary>
    public async Task<Backlog> BacklogAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT (SELECT COUNT(*) FROM samples WHERE sent = 0), (SELECT MIN(t) FROM samples WHERE sent = 0),
                       COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0),
                       (SELECT COUNT(*) FROM samples WHERE sent < 2), (SELECT MIN(t) FROM samples WHERE sent < 2),
                       (SELECT MIN(seq) FROM samples WHERE sent < 2)
                """;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            long? N(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
            return new Backlog(reader.GetInt64(0), N(1), reader.GetInt64(2), reader.GetInt64(3), N(4), N(5));
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Once the clock is trustworthy: samples of this boot taken while it was not get
    /// t = monotonic time + (wall − monotonic offset now); samples of earlier boots cannot be
    /// placed and are released flagged as uncertain. Returns (corrected, uncorrectable).
    /// </summary>
    public async Task<(int Corrected, int Uncorrectable)> CorrectClockAsync(string bootId, long wallMinusMonotonicNs, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _db.BeginTransactionAsync(ct);
            await using var fix = _db.CreateCommand();
            fix.Transaction = tx;
            fix.CommandText = $"UPDATE samples SET t = mono + $offset, clk = {(int)ClockState.Corrected} WHERE clk = {(int)ClockState.Untrusted} AND boot = $boot AND mono IS NOT NULL";
            fix.Parameters.AddWithValue("$offset", wallMinusMonotonicNs);
            fix.Parameters.AddWithValue("$boot", bootId);
            var corrected = await fix.ExecuteNonQueryAsync(ct);
            await using var rest = _db.CreateCommand();
            rest.Transaction = tx;
            rest.CommandText = $"UPDATE samples SET clk = {(int)ClockState.Uncorrectable} WHERE clk = {(int)ClockState.Untrusted}";
            var uncorrectable = await rest.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            return (corrected, uncorrectable);
        }
        finally { _lock.Release(); }
    }

    /// <summary>Samples waiting for a trustworthy clock.</summary>
    public async Task<long> UntrustedCountAsync(CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { return await ScalarAsync($"SELECT COUNT(*) FROM samples WHERE clk = {(int)ClockState.Untrusted}", ct); }
        finally { _lock.Release(); }
    }

    /// <summary>Test and operations hook: caps the file's size in pages (SQLite then answers "database or disk is full").</summary>
    public async Task SetMaxPageCountAsync(long pages, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { await ScalarAsync($"PRAGMA max_page_count = {pages}", ct); }
        finally { _lock.Release(); }
    }

    /// <summary>Test and operations hook: refuses writes as read-only media would (SQLite query_only).</summary>
    public async Task SetQueryOnlyAsync(bool on, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try { await ScalarAsync($"PRAGMA query_only = {(on ? 1 : 0)}", ct); }
        finally { _lock.Release(); }
    }

    private async Task<long> UsedBytesUnlockedAsync(CancellationToken ct) =>
        (await ScalarAsync("PRAGMA page_count", ct) - await ScalarAsync("PRAGMA freelist_count", ct)) * await ScalarAsync("PRAGMA page_size", ct);

    private async Task<long> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct) ?? 0L);
    }
}
