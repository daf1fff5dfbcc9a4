using System.Text.Json;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Transfer;

/// <summary>Which buffered samples an export takes.</summary>
public enum ExportMode { Unsent, All, Range }

/// <summary>Rows not yet receipted (default), every retained row, or every retained row with fromNs ≤ t &lt; toNs.</summary>
public sealed record ExportSelection(ExportMode Mode, long FromNs = long.MinValue, long ToNs = long.MaxValue)
{
    public static readonly ExportSelection Unsent = new(ExportMode.Unsent);
    public static readonly ExportSelection All = new(ExportMode.All);
    public static ExportSelection Range(DateTimeOffset? from, DateTimeOffset? to) =>
        new(ExportMode.Range, from is { } f ? Time.ToUnixNanoseconds(f) : long.MinValue, to is { } t ? Time.ToUnixNanoseconds(t) : long.MaxValue);
}

/// <summary>What a selection holds, counted in the same snapshot the rows are read from.</summary>
public sealed record SnapshotSummary(string StreamId, long Samples, long FirstSeq, long LastSeq, long Events, string Seqs, long WaitingForClock);

/// <summary>
/// Reads the agent's buffer file beside the running agent: a read-only connection (it never
/// creates, migrates or writes the file, so a wrong path is an error, not a new empty buffer with a
/// new stream id) and one read transaction, so the counts and the rows come from the same WAL
/// snapshot even while the agent appends and marks rows sent. Only the table layout is shared with
/// <see cref="SampleBuffer"/>: samples(seq, t, m, eq, r, sent, kind[, clk]) and meta('stream_id').
/// </summary>
public sealed class BufferSnapshot : IAsyncDisposable
{
    private readonly SqliteConnection _db;
    private readonly SqliteTransaction _tx;
    private readonly bool _hasClock;
    private readonly string _filter;
    private readonly ExportSelection _selection;

    private BufferSnapshot(SqliteConnection db, SqliteTransaction tx, bool hasClock, ExportSelection selection)
    {
        _db = db;
        _tx = tx;
        _hasClock = hasClock;
        _selection = selection;
        _filter = Filter(selection, hasClock, waiting: false);
    }

    public static async Task<BufferSnapshot> OpenAsync(string path, ExportSelection selection, CancellationToken ct = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"buffer file '{full}' does not exist (buffer.path '{path}' in the agent's config; a relative path is taken from the current directory)", full);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            await db.OpenAsync(ct);
            await using (var busy = db.CreateCommand())
            {
                busy.CommandText = "PRAGMA busy_timeout = 5000";
                await busy.ExecuteNonQueryAsync(ct);
            }
            // BEGIN (deferred): the snapshot is taken at the first read and held until the end.
            var tx = db.BeginTransaction(deferred: true);
            var hasClock = false;
            await using (var cols = db.CreateCommand())
            {
                cols.Transaction = tx;
                cols.CommandText = "SELECT name FROM pragma_table_info('samples')";
                await using var r = await cols.ExecuteReaderAsync(ct);
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                while (await r.ReadAsync(ct)) names.Add(r.GetString(0));
                if (!names.IsSupersetOf(["seq", "t", "m", "eq", "r", "sent", "kind"]))
                    throw new InvalidDataException($"'{full}' is not an agent buffer (table samples missing or incomplete)");
                hasClock = names.Contains("clk");
            }
            return new BufferSnapshot(db, tx, hasClock, selection);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    public async Task<SnapshotSummary> SummarizeAsync(CancellationToken ct = default)
    {
        var stream = (string?)await ScalarAsync("SELECT value FROM meta WHERE key = 'stream_id'", ct)
            ?? throw new InvalidDataException("the buffer has no stream id (meta 'stream_id')");
        long samples = 0, first = 0, last = 0, events = 0;
        await using (var cmd = Command($"SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0), COALESCE(SUM(kind = 1), 0) FROM samples WHERE {_filter}"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (samples, first, last, events) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
        }
        // Runs of consecutive seqs (gaps and islands), for the header's "seqs".
        var ranges = new List<(long, long)>();
        await using (var cmd = Command($"SELECT MIN(seq), MAX(seq) FROM (SELECT seq, seq - ROW_NUMBER() OVER (ORDER BY seq) AS g FROM samples WHERE {_filter}) GROUP BY g ORDER BY 1"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct)) ranges.Add((r.GetInt64(0), r.GetInt64(1)));
        }
        var waiting = _hasClock ? Convert.ToInt64(await ScalarAsync($"SELECT COUNT(*) FROM samples WHERE {Filter(_selection, true, waiting: true)}", ct)) : 0;
        return new SnapshotSummary(stream, samples, first, last, events, SeqRanges.Format(ranges), waiting);
    }

    /// <summary>The selected samples in sequence order, as the publisher would send them.</summary>
    public async IAsyncEnumerable<(Sample Sample, SampleKind Kind)> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var cmd = Command($"SELECT seq, t, m, eq, r, kind{(_hasClock ? ", clk" : "")} FROM samples WHERE {_filter} ORDER BY seq");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var readings = JsonSerializer.Deserialize(r.GetString(4), BufferJsonContext.Default.StoredReadingArray)!
                .Select(x => new Reading(x.N, x.V, x.U)).ToList();
            // Same flags as the publisher's read (SampleBuffer), so the bundle's point equals the online one.
            if (_hasClock)
            {
                switch ((ClockState)r.GetInt32(6))
                {
                    case ClockState.Corrected: readings.Add(new Reading("clock_corrected", 1, Units.None)); break;
                    case ClockState.Uncorrectable: readings.Add(new Reading("clock_uncertain", 1, Units.None)); break;
                }
            }
            yield return (new Sample(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), readings), (SampleKind)r.GetInt32(5));
        }
    }

    /// <summary>
    /// The WHERE clause: telemetry and events only, the mode's rows, and never rows still waiting for
    /// a trustworthy clock (their time is rewritten once the clock is known; the publisher holds them too).
    /// </summary>
    private static string Filter(ExportSelection s, bool hasClock, bool waiting)
    {
        var parts = new List<string> { "kind IN (0, 1)" };
        switch (s.Mode)
        {
            // Not yet receipted: a sample the broker acknowledged may still be lost before it is stored.
            // (In a file no receipt-aware agent has opened, "sent = 1" rows come along too: duplicates, harmless.)
            case ExportMode.Unsent: parts.Add("sent <> 2"); break;
            case ExportMode.Range:
                if (s.FromNs != long.MinValue) parts.Add($"t >= {s.FromNs}");
                if (s.ToNs != long.MaxValue) parts.Add($"t < {s.ToNs}");
                break;
        }
        if (hasClock) parts.Add(waiting ? $"clk = {(int)ClockState.Untrusted}" : $"clk <> {(int)ClockState.Untrusted}");
        return string.Join(" AND ", parts);
    }

    private SqliteCommand Command(string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = _tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var cmd = Command(sql);
        return await cmd.ExecuteScalarAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync(); // a read transaction: rolling back just releases the snapshot
        await _db.DisposeAsync();
    }
}
