using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// SD-card wear of the agent's buffer (the record log): bytes written and fsyncs per sample, for
/// synchronous FULL/NORMAL and 1/10/100/1000 samples per commit (one AppendAsync = one transaction),
/// then for marking the same samples sent and receipted (MarkSentAsync + ApplyReceiptAsync, one pair per published batch of
/// min(commit size, 200) samples, as the publisher does) and pruning them (PruneSentAsync, 600 rows a call:
/// the maintenance service's once-a-minute prune at 10 samples/s).
///
/// Each configuration runs in a fresh child process so /proc/self/io belongs to it alone; when
/// strace is on PATH the child runs under it and every fsync/fdatasync is counted per phase (the
/// child marks phase boundaries with stat() of a non-existent path that strace logs; --seccomp-bpf
/// keeps strace from stopping the process on any other syscall, so timings stay honest).
/// </summary>
public static partial class BufferWear
{
    private const string MarkerDir = "/et-wear-marker";
    private const int PruneChunk = 600;
    private static readonly (string Sync, int PerCommit)[] Configs =
        [("FULL", 1), ("FULL", 10), ("FULL", 100), ("FULL", 1000), ("NORMAL", 1), ("NORMAL", 10), ("NORMAL", 100), ("NORMAL", 1000)];

    public sealed record Result(string Sync, int PerCommit, int Samples, int Commits, int MarkCalls, int MarkChunk,
        long AppendWriteBytes, long AppendWchar, long MarkWriteBytes, long MarkWchar, long FileGrowth,
        double AppendSeconds, double MarkSeconds, int PruneCalls, long PruneWriteBytes, long PruneWchar, string FileSystem);

    public static async Task<int> RunAsync(string[] args)
    {
        var dir = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "et-wear");
        var samples = int.Parse(Option(args, "--samples") ?? "20000", CultureInfo.InvariantCulture);
        var useStrace = !args.Contains("--no-strace") && Which("strace") is not null;
        Directory.CreateDirectory(dir);
        Console.WriteLine($"buffer wear: directory {Path.GetFullPath(dir)} ({FileSystemOf(dir)}), {samples} samples per configuration " +
                          $"({samples / 10} for 1 per commit), 7 readings each; fsyncs {(useStrace ? "counted with strace" : "not counted (no strace)")}");
        var results = new List<(Result R, int AppendFsyncs, int MarkFsyncs, int PruneFsyncs, int WalSyncs, int DbSyncs)>();
        foreach (var (sync, perCommit) in Configs)
        {
            var n = perCommit == 1 ? samples / 10 : samples; // one fsync per sample is slow; fewer suffice
            var (result, trace) = await RunChildAsync(dir, sync, perCommit, n, useStrace);
            var (appendSyncs, markSyncs, pruneSyncs, wal, db) = trace is null ? (-1, -1, -1, -1, -1) : CountSyncs(trace);
            results.Add((result, appendSyncs, markSyncs, pruneSyncs, wal, db));
            Console.Error.WriteLine($"  {sync}/{perCommit}: done in {result.AppendSeconds + result.MarkSeconds:F1} s");
        }

        var fallback = results.All(x => x.R.AppendWriteBytes == 0);
        if (fallback)
            Console.WriteLine($"write_bytes stayed 0 ({results[0].R.FileSystem} does not account block writes): the byte columns below use wchar " +
                              "(bytes SQLite passed to write calls); DB+WAL growth per sample is listed too.");
        string B(long writeBytes, long wchar, int n) => ((fallback ? wchar : writeBytes) / (double)n).ToString("N0", CultureInfo.InvariantCulture);
        string Syncs(int syncs, int calls, string sync) => syncs < 0 ? (sync == "FULL" ? "1 (implied)" : "0 (implied)") : (syncs / (double)calls).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"Bytes per sample from /proc/self/io {(fallback ? "wchar" : "write_bytes")}; fsyncs per transaction " +
                          (useStrace ? "= fsync+fdatasync calls seen by strace (WAL+main file)." : "implied by the mode (strace absent): checkpoint syncs not included."));
        Console.WriteLine("| synchronous | samples/commit | append B/sample | fsyncs/commit (WAL+DB) | ms/commit | mark-sent B/sample (batch) | fsyncs/mark | prune B/sample | fsyncs/prune | total B/sample | wchar total B/sample |" + (fallback ? " DB+WAL growth B/sample |" : ""));
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|" + (fallback ? "---|" : ""));
        foreach (var (r, appendSyncs, markSyncs, pruneSyncs, wal, db) in results)
        {
            var total = fallback ? r.AppendWchar + r.MarkWchar + r.PruneWchar : r.AppendWriteBytes + r.MarkWriteBytes + r.PruneWriteBytes;
            Console.WriteLine($"| {r.Sync} | {r.PerCommit} | {B(r.AppendWriteBytes, r.AppendWchar, r.Samples)} | " +
                              $"{Syncs(appendSyncs, r.Commits, r.Sync)}{(appendSyncs < 0 ? "" : $" ({wal}+{db})")} | {r.AppendSeconds * 1000 / r.Commits:F2} | " +
                              $"{B(r.MarkWriteBytes, r.MarkWchar, r.Samples)} ({r.MarkChunk}) | {Syncs(markSyncs, r.MarkCalls, r.Sync)} | " +
                              $"{B(r.PruneWriteBytes, r.PruneWchar, r.Samples)} | {Syncs(pruneSyncs, r.PruneCalls, r.Sync)} | {total / (double)r.Samples:N0} | " +
                              $"{(r.AppendWchar + r.MarkWchar + r.PruneWchar) / (double)r.Samples:N0} |" + (fallback ? $" {r.FileGrowth / (double)r.Samples:N0} |" : ""));
        }
        Console.WriteLine();
        Console.WriteLine("JSON: " + JsonSerializer.Serialize(results.Select(x => new { x.R, x.AppendFsyncs, x.MarkFsyncs, x.PruneFsyncs, x.WalSyncs, x.DbSyncs })));
        return 0;
    }

    /// <summary>One configuration, in this process: `wear-one --dir D --sync FULL --commit 10 --samples 20000`.</summary>
    public static async Task<int> RunOneAsync(string[] args)
    {
        var dir = Option(args, "--dir")!;
        var sync = Option(args, "--sync")!;
        var perCommit = int.Parse(Option(args, "--commit")!, CultureInfo.InvariantCulture);
        var count = int.Parse(Option(args, "--samples")!, CultureInfo.InvariantCulture);
        var path = Path.Combine(dir, $"wear-{sync}-{perCommit}");
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);

        // Receipt progress as the agent writes it by default: every 30 commit intervals (below), not on the clock of this fast run.
        await using var buffer = await SampleBuffer.OpenAsync(path, sync, progressInterval: TimeSpan.MaxValue);
        var rnd = new Random(7);
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow);
        // Warm the file up: tables, index and WAL exist and already hold rows, as in a running agent.
        var warm = await buffer.AppendAsync(Enumerable.Range(0, 1000).Select(i => Pending(t0 + i, rnd)).ToList());
        await buffer.MarkSentAsync(warm, receipted: true);
        var growthBefore = FileBytes(path);

        Marker("append-start");
        var (wb0, wc0) = Io();
        var sw = Stopwatch.StartNew();
        var seqs = new List<long>(count);
        var commits = 0;
        for (var i = 0; i < count; i += perCommit, commits++)
            seqs.AddRange(await buffer.AppendAsync(Enumerable.Range(i, Math.Min(perCommit, count - i)).Select(j => Pending(t0 + 1000 + j, rnd)).ToList()));
        var appendSeconds = sw.Elapsed.TotalSeconds;
        var (wb1, wc1) = Io();
        Marker("append-end");
        var growth = FileBytes(path) - growthBefore;

        // The publisher marks one published batch at a time: live batches are what one commit
        // interval gathered (capped at 200 samples per message).
        var chunk = Math.Min(perCommit, 200);
        Marker("mark-start");
        var (wb2, wc2) = Io();
        sw.Restart();
        var calls = 0;
        // Each batch is written twice more: sent on its PUBACK, receipted on the central service's receipt.
        for (var i = 0; i < seqs.Count; i += chunk, calls++)
        {
            var batch = seqs.GetRange(i, Math.Min(chunk, seqs.Count - i));
            await buffer.MarkSentAsync(batch, t0);
            await buffer.ApplyReceiptAsync([(batch[0], batch[^1])], []);
            if ((i / chunk + 1) % Math.Max(1, 30 * perCommit / chunk) == 0) await buffer.FlushAsync();
        }
        var markSeconds = sw.Elapsed.TotalSeconds;
        var (wb3, wc3) = Io();
        Marker("mark-end");

        // The maintenance service prunes rows sent over an hour ago once a minute: 600 rows a call at 10 samples/s.
        await buffer.PruneSentAsync(t0 + 1000); // the warm-up rows, outside the measurement
        Marker("prune-start");
        var (wb4, wc4) = Io();
        var pruneCalls = 0;
        for (var i = 0; i < count; i += PruneChunk, pruneCalls++) await buffer.PruneSentAsync(t0 + 1000 + Math.Min(i + PruneChunk, count));
        var (wb5, wc5) = Io();
        Marker("prune-end");

        var result = new Result(sync, perCommit, count, commits, calls, chunk, wb1 - wb0, wc1 - wc0, wb3 - wb2, wc3 - wc2, growth,
            appendSeconds, markSeconds, pruneCalls, wb5 - wb4, wc5 - wc4, FileSystemOf(dir));
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    private static async Task<(Result, string?)> RunChildAsync(string dir, string sync, int perCommit, int samples, bool strace)
    {
        var self = typeof(BufferWear).Assembly.Location;
        var host = Environment.ProcessPath!;
        var childArgs = new List<string>();
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") childArgs.Add(self);
        childArgs.AddRange(["wear-one", "--dir", dir, "--sync", sync, "--commit", perCommit.ToString(CultureInfo.InvariantCulture),
            "--samples", samples.ToString(CultureInfo.InvariantCulture)]);
        var traceFile = Path.Combine(dir, $"strace-{sync}-{perCommit}.txt");
        var psi = strace
            ? new ProcessStartInfo("strace", ["--seccomp-bpf", "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,%%stat", "-o", traceFile, host, .. childArgs])
            : new ProcessStartInfo(host, childArgs);
        psi.RedirectStandardOutput = true;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"wear-one {sync}/{perCommit} exited {p.ExitCode} without a result:\n{output}");
        var result = JsonSerializer.Deserialize<Result>(line["RESULT ".Length..])!;
        if (Directory.Exists(Path.Combine(dir, $"wear-{sync}-{perCommit}"))) Directory.Delete(Path.Combine(dir, $"wear-{sync}-{perCommit}"), recursive: true);
        string? trace = null;
        if (strace)
        {
            trace = await File.ReadAllTextAsync(traceFile);
            File.Delete(traceFile);
        }
        return (result, trace);
    }

    /// <summary>fsync/fdatasync calls between the phase markers; WAL vs main-file syncs in the append phase.</summary>
    private static (int Append, int Mark, int Prune, int Wal, int Db) CountSyncs(string trace)
    {
        string? phase = null;
        int append = 0, mark = 0, prune = 0, wal = 0, db = 0;
        foreach (var line in trace.Split('\n'))
        {
            var m = MarkerPattern().Match(line);
            if (m.Success) { phase = m.Groups[1].Value; continue; }
            var s = SyncPattern().Match(line);
            if (!s.Success) continue;
            if (phase == "append-start")
            {
                append++;
                if (s.Groups[1].Value.EndsWith("-wal", StringComparison.Ordinal)) wal++; else db++;
            }
            else if (phase == "mark-start") mark++;
            else if (phase == "prune-start") prune++;
        }
        return (append, mark, prune, wal, db);
    }

    [GeneratedRegex(@"et-wear-marker/([a-z]+-[a-z]+)")]
    private static partial Regex MarkerPattern();

    // The call's first line ("fdatasync(5</path/x.db-wal>" possibly followed by "<unfinished ...>"), not its "resumed" line.
    [GeneratedRegex(@"^\d+\s+f(?:data)?sync\(\d+<([^>]*)>")]
    private static partial Regex SyncPattern();

    private static PendingSample Pending(long t, Random rnd) => new(t, "centrifuge", SampleData.Equipment, SampleData.CentrifugeReadings(rnd));

    private static void Marker(string name) => File.Exists($"{MarkerDir}/{name}");

    /// <summary>/proc/self/io: write_bytes (pages this process dirtied for the block layer) and wchar (bytes passed to write calls).</summary>
    private static (long WriteBytes, long Wchar) Io()
    {
        long wb = -1, wc = -1;
        foreach (var line in File.ReadLines("/proc/self/io"))
        {
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) wb = long.Parse(line[12..].Trim(), CultureInfo.InvariantCulture);
            else if (line.StartsWith("wchar:", StringComparison.Ordinal)) wc = long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
        }
        return wb < 0 || wc < 0 ? throw new PlatformNotSupportedException("/proc/self/io lacks write_bytes/wchar") : (wb, wc);
    }

    private static long FileBytes(string dir) => Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);

    private static string FileSystemOf(string dir)
    {
        var full = Path.GetFullPath(dir);
        var best = DriveInfo.GetDrives().Where(d => full.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
            .MaxBy(d => d.RootDirectory.FullName.Length);
        return best is null ? "unknown fs" : $"{best.DriveFormat} at {best.RootDirectory.FullName}";
    }

    private static string? Which(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);
}
