using System.Globalization;
using Microsoft.Data.Sqlite;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// <c>wear-records</c>: what the buffer layout issue 11 asks for would cost the SD card, measured on SQLite before the
/// buffer is rebuilt on it. One append-only row per commit holding that second's samples already wire-v2 encoded
/// (a blob of <c>--record-bytes</c>), no secondary index, no AUTOINCREMENT; receipt progress as one row rewritten every
/// <c>--progress-every</c> commits; receipted records deleted in whole records every <c>--prune-every</c> commits. WAL,
/// synchronous FULL (one fsync per commit), the default 1,000-page auto-checkpoint. Bytes are /proc/self/io
/// write_bytes over the measured commits, against the floor of one 4 KiB page per commit plus the record.
/// </summary>
public static partial class RecordWear
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dir = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "et-wear-records");
        var commits = int.Parse(Option(args, "--commits") ?? "3000", CultureInfo.InvariantCulture);
        var recordBytes = int.Parse(Option(args, "--record-bytes") ?? "190", CultureInfo.InvariantCulture);
        var readings = int.Parse(Option(args, "--readings") ?? "36", CultureInfo.InvariantCulture);
        var progressEvery = int.Parse(Option(args, "--progress-every") ?? "10", CultureInfo.InvariantCulture);
        var pruneEvery = int.Parse(Option(args, "--prune-every") ?? "60", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(dir);
        var layout = Option(args, "--layout") ?? "sqlite";
        if (layout == "log-buffered") return RunLog(dir, commits, recordBytes, readings, progressEvery);
        if (layout == "log-direct") return RunDirectLog(dir, commits, recordBytes, readings);
        var path = Path.Combine(dir, $"records-{Environment.ProcessId}.db");
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await db.OpenAsync();
        await Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" +
                       "CREATE TABLE records(id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, kind INTEGER NOT NULL, body BLOB NOT NULL);" +
                       "CREATE TABLE progress(id INTEGER PRIMARY KEY CHECK (id = 1), receipted TEXT NOT NULL); INSERT INTO progress VALUES (1, '');");
        var body = new byte[recordBytes];
        Random.Shared.NextBytes(body); // incompressible, as an encoded batch is
        long seq = 0;
        async Task CommitAsync(int i)
        {
            await using var tx = (SqliteTransaction)await db.BeginTransactionAsync();
            await using (var insert = db.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO records(first_seq, last_seq, kind, body) VALUES ($f, $l, 0, $b)";
                insert.Parameters.AddWithValue("$f", seq + 1);
                insert.Parameters.AddWithValue("$l", seq += 7);
                insert.Parameters.AddWithValue("$b", body);
                await insert.ExecuteNonQueryAsync();
            }
            if (i % progressEvery == 0) await Exec(db, $"UPDATE progress SET receipted = '1-{seq - 14}' WHERE id = 1", tx);
            // Keep ten minutes of receipted records, as the agent's pruning would.
            if (i % pruneEvery == 0) await Exec(db, $"DELETE FROM records WHERE last_seq < {seq - 600 * 7}", tx);
            await tx.CommitAsync();
        }
        for (var i = 1; i <= 700; i++) await CommitAsync(i); // warm-up: past the first prune and a checkpoint
        var before = Io();
        for (var i = 1; i <= commits; i++) await CommitAsync(i);
        var written = Io() - before;
        Print($"records in SQLite (WAL, FULL): {commits} commits of one {recordBytes} B record ({readings} readings), progress every {progressEvery}, prune every {pruneEvery}; directory {Path.GetFullPath(dir)}", written, commits, recordBytes, readings);
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        return 0;
    }

    /// <summary>
    /// The alternative: an append-only segment file written once with zeros ahead of use (so a commit never changes
    /// the file's size or extents, and its sync carries no allocation), records framed as length + CRC-32 + bytes,
    /// opened O_DSYNC (FileOptions.WriteThrough: each write reaches the device before it returns, without the
    /// inode's timestamps); receipt progress in a second small file, rewritten in place every N commits.
    /// </summary>
    private static int RunLog(string dir, int commits, int recordBytes, int readings, int progressEvery)
    {
        const int segmentBytes = 4 << 20;
        var body = new byte[recordBytes];
        Random.Shared.NextBytes(body);
        var frame = new byte[8 + recordBytes];
        BitConverter.TryWriteBytes(frame.AsSpan(0, 4), recordBytes);
        BitConverter.TryWriteBytes(frame.AsSpan(4, 4), System.IO.Hashing.Crc32.HashToUInt32(body));
        body.CopyTo(frame, 8);
        var progress = new byte[64];
        var segment = 0;
        long offset = segmentBytes; // forces the first segment
        FileStream? log = null;
        using var progressFile = new FileStream(Path.Combine(dir, $"progress-{Environment.ProcessId}"), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        progressFile.Write(progress);
        void Commit(int i)
        {
            if (offset + frame.Length > segmentBytes)
            {
                log?.Dispose();
                var path = Path.Combine(dir, $"segment-{Environment.ProcessId}-{segment++}");
                using (var zero = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    zero.Write(new byte[segmentBytes]);
                    zero.Flush(flushToDisk: true);
                }
                log = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
                offset = 0;
            }
            RandomAccess.Write(log!.SafeFileHandle, frame, offset);
            offset += frame.Length;
            if (i % progressEvery == 0) RandomAccess.Write(progressFile.SafeFileHandle, progress, 0);
        }
        for (var i = 1; i <= 700; i++) Commit(i);
        var before = Io();
        for (var i = 1; i <= commits; i++) Commit(i);
        var written = Io() - before;
        log?.Dispose();
        Print($"records in an append-only log (zeroed {segmentBytes >> 20} MiB segments, O_DSYNC): {commits} commits of one {recordBytes} B record ({readings} readings), progress every {progressEvery}; zeroing of new segments included", written, commits, recordBytes, readings);
        foreach (var f in Directory.GetFiles(dir, $"*-{Environment.ProcessId}*")) File.Delete(f);
        return 0;
    }

    /// <summary>
    /// The log written as the kernel's own log writers do: the current 4 KiB page kept in memory and written whole with
    /// O_DIRECT | O_DSYNC at its place in a zeroed segment (.NET has no O_DIRECT, hence open(2) and pwrite(2)), so the
    /// page cache — and its large folios — is not involved.
    /// </summary>
    private static unsafe int RunDirectLog(string dir, int commits, int recordBytes, int readings)
    {
        const int page = 4096, segmentBytes = 4 << 20;
        var path = Path.Combine(dir, $"segment-direct-{Environment.ProcessId}");
        using (var zero = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            zero.Write(new byte[segmentBytes]);
            zero.Flush(flushToDisk: true);
        }
        var fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_DIRECT | Libc.O_DSYNC);
        if (fd < 0) throw new IOException($"open(O_DIRECT) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        var buffer = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(page, page);
        try
        {
            var frame = new byte[8 + recordBytes];
            Random.Shared.NextBytes(frame);
            long offset = 0;
            void Commit()
            {
                // The record may cross into the next page: write the page it ends in, and the one it started in if different.
                offset += frame.Length;
                if (offset > segmentBytes) offset = frame.Length; // wrap: the bench needs no second segment
                for (var p = (offset - frame.Length) / page * page; p < offset; p += page)
                {
                    var from = Math.Max(p, offset - frame.Length);
                    new ReadOnlySpan<byte>(frame, (int)(from - (offset - frame.Length)), (int)(Math.Min(p + page, offset) - from)).CopyTo(new Span<byte>(buffer + (from - p), page - (int)(from - p)));
                    if (Libc.PWrite(fd, buffer, page, p) != page) throw new IOException("pwrite failed");
                }
            }
            for (var i = 0; i < 700; i++) Commit();
            var before = Io();
            for (var i = 0; i < commits; i++) Commit();
            var written = Io() - before;
            Print($"records in an append-only log written page by page with O_DIRECT|O_DSYNC: {commits} commits of one {recordBytes} B record ({readings} readings)", written, commits, recordBytes, readings);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
            Libc.Close(fd);
            File.Delete(path);
        }
        return 0;
    }

    private static partial class Libc
    {
        public const int O_WRONLY = 0x1, O_DSYNC = 0x1000, O_DIRECT = 0x4000; // x86_64 and arm64 Linux

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
        public static partial int Open(string path, int flags);

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
        public static unsafe partial nint PWrite(int fd, byte* buffer, nint count, long offset);

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "close")]
        public static partial int Close(int fd);
    }

    private static void Print(string layout, long written, int commits, int recordBytes, int readings)
    {
        var floor = 4096.0 + recordBytes;
        Console.WriteLine(layout);
        Console.WriteLine();
        Console.WriteLine("| write_bytes per commit | per reading | floor per reading (4 KiB page + record) | ratio to floor |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {written / (double)commits:N0} | {written / (double)commits / readings:N1} | {floor / readings:N1} | {written / (double)commits / floor:F2} |"));
    }

    private static async Task Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        await using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static long Io()
    {
        foreach (var line in File.ReadLines("/proc/self/io"))
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) return long.Parse(line[12..].Trim(), CultureInfo.InvariantCulture);
        throw new PlatformNotSupportedException("/proc/self/io lacks write_bytes");
    }
}
