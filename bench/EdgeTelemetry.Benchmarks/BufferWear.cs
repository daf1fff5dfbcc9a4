using System.Diagnostics;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// SD-card wear: bytes the buffer makes the kernel write per sample, for each synchronous mode and
/// commit size, from /proc/self/io write_bytes (block-layer writes; 0 on filesystems that do not
/// account them, e.g. tmpfs — then run it with --dir on a real disk). Appending and marking sent
/// are measured separately, since both rewrite pages.
/// </summary>
public static class BufferWear
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dir = args.Length > 1 && args[0] == "--dir" ? args[1] : Path.Combine(Path.GetTempPath(), "et-wear");
        Directory.CreateDirectory(dir);
        const int total = 20_000;
        Console.WriteLine($"buffer wear: {total} samples of 5 readings each, directory {dir}");
        Console.WriteLine("| synchronous | samples per commit | append: bytes written / sample | mark sent: bytes / sample | commits/s at 10 samples/s |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var mode in new[] { "FULL", "NORMAL" })
        foreach (var perCommit in new[] { 1, 10, 100, 1000 })
        {
            var path = Path.Combine(dir, $"wear-{mode}-{perCommit}.db");
            foreach (var f in Directory.GetFiles(dir, Path.GetFileName(path) + "*")) File.Delete(f);
            await using var buffer = await SampleBuffer.OpenAsync(path, mode);
            var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow);
            var count = perCommit == 1 ? total / 10 : total; // one fsync per sample is slow; fewer suffice
            var before = WriteBytes();
            var seqs = new List<long>(count);
            for (var i = 0; i < count; i += perCommit)
                seqs.AddRange(await buffer.AppendAsync(Enumerable.Range(i, perCommit).Select(j => Sample(t0 + j)).ToList()));
            var appended = WriteBytes() - before;
            before = WriteBytes();
            for (var i = 0; i < seqs.Count; i += 200) await buffer.MarkSentAsync(seqs.Skip(i).Take(200).ToList());
            var marked = WriteBytes() - before;
            Console.WriteLine($"| {mode} | {perCommit} | {appended / (double)count:F0} | {marked / (double)count:F0} | {10.0 / perCommit:F2} |");
        }
        return 0;
    }

    private static PendingSample Sample(long t) => new(t, "centrifuge", "knelson-md30-1",
    [
        new Reading("bowl_speed", 401.2, Units.Rpm), new Reading("bowl_g", 68.6, Units.GForce),
        new Reading("fluidisation_pressure", 110.4, Units.KiloPascal), new Reading("fluidisation_flow", 95.1, Units.LitresPerMinute),
        new Reading("feed_rate", 1.02, Units.TonnesPerHour),
    ]);

    /// <summary>Bytes this process caused to be sent to the storage layer (Linux /proc/self/io).</summary>
    private static long WriteBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/io"))
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) return long.Parse(line[12..].Trim());
        throw new PlatformNotSupportedException("/proc/self/io has no write_bytes");
    }
}
