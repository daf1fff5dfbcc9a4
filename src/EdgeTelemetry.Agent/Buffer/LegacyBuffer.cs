using System.Text.Json;
using EdgeTelemetry.Model;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>What an older agent's SQLite buffer held that still has to go: its stream, counters and unreceipted rows.</summary>
internal sealed record LegacyContent(string Stream, long MaxSeq, long Evicted, long Resent, long ReceiptRejected,
    Dictionary<string, string> Meta, List<(long Seq, PendingSample Sample, ClockState Clock)> Rows);

/// <summary>
/// An agent upgraded over a SQLite buffer file (agents before the record log) sends what it held: the file is moved
/// aside (so its path can become the buffer directory), its unreceipted rows are written into the new log under
/// their own seqs and stream, and only then is it removed. A crash in between finds the moved file and starts over.
/// </summary>
internal static class LegacyBuffer
{
    private static string Moved(string path) => path + ".sqlite-migrating";
    private static readonly string[] Companions = ["", "-wal", "-shm"];

    /// <summary>The old buffer's content when <paramref name="path"/> is (or was, mid-migration) a SQLite file; null otherwise.</summary>
    public static async Task<LegacyContent?> TakeAsync(string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            foreach (var c in Companions)
                if (File.Exists(path + c)) File.Move(path + c, Moved(path) + c, overwrite: true);
        }
        else if (!File.Exists(Moved(path))) return null;
        // A directory beside a moved file is an interrupted migration: begin it again.
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        return await ReadAsync(Moved(path), ct);
    }

    public static void Remove(string path)
    {
        foreach (var c in Companions) File.Delete(Moved(path) + c);
    }

    private static async Task<LegacyContent> ReadAsync(string file, CancellationToken ct)
    {
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await db.OpenAsync(ct);
        var meta = new Dictionary<string, string>();
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT key, value FROM meta";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) meta[r.GetString(0)] = r.GetString(1);
        }
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM pragma_table_info('samples')";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) columns.Add(r.GetString(0));
        }
        var hasClock = columns.Contains("clk");
        long maxSeq;
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0)";
            maxSeq = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        }
        // Receipted rows (sent = 2) are stored centrally; the rest goes again (a row only PUBACKed may be a duplicate).
        // Schema 1 had no receipts: its sent rows were delivered under that version's contract.
        await using var version = db.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var delivered = Convert.ToInt64(await version.ExecuteScalarAsync(ct)) >= 2 ? "sent <> 2" : "sent = 0";
        var rows = new List<(long, PendingSample, ClockState)>();
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = $"SELECT seq, t, m, eq, r, kind, {(hasClock ? "clk, boot, mono" : "0, NULL, NULL")} FROM samples WHERE {delivered} ORDER BY seq";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var readings = JsonSerializer.Deserialize(r.GetString(4), BufferJsonContext.Default.StoredReadingArray)!.Select(x => new Reading(x.N, x.V, x.U)).ToList();
                var clock = (ClockState)r.GetInt32(6);
                var stamp = r.IsDBNull(7) ? null : new ClockStamp(r.GetString(7), r.IsDBNull(8) ? 0 : r.GetInt64(8), clock != ClockState.Untrusted);
                rows.Add((r.GetInt64(0), new PendingSample(r.GetInt64(1), r.GetString(2), r.GetString(3), readings, (SampleKind)r.GetInt32(5), stamp), clock));
            }
        }
        long Counter(string key) => meta.TryGetValue(key, out var v) && long.TryParse(v, out var n) ? n : 0;
        var kept = meta.Where(x => x.Key is not ("stream_id" or "evicted" or "resent" or "receipt_rejected")).ToDictionary();
        return new LegacyContent(meta.GetValueOrDefault("stream_id") ?? throw new InvalidDataException($"'{file}' has no stream id"),
            maxSeq, Counter("evicted"), Counter("resent"), Counter("receipt_rejected"), kept, rows);
    }
}
