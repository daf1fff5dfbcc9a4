using System.Diagnostics;

namespace EdgeTelemetry.LocalServers;

/// <summary>
/// Temp dirs for local servers under /tmp/edgetelemetry-localservers. Each records its owner's pid
/// and its server's pid, so a later run can clean up after a host that was SIGKILLed (no
/// ProcessExit, no Dispose) without touching any process it did not start.
/// </summary>
internal static class WorkDirs
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "edgetelemetry-localservers");
    private static readonly Lazy<bool> Swept = new(() => { SweepStale(); return true; });
    private const string OwnerFile = "owner.pid", ServerFile = "server.pid";

    public static string Create(string kind)
    {
        _ = Swept.Value;
        var dir = Path.Combine(Root, $"{kind}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, OwnerFile), Environment.ProcessId.ToString());
        return dir;
    }

    public static void RecordServerPid(string dir, int pid) => File.WriteAllText(Path.Combine(dir, ServerFile), pid.ToString());

    public static void Delete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Last lines of each existing log file, for start-failure messages.</summary>
    public static string Tail(params string[] logs)
    {
        var parts = logs.Where(File.Exists).Select(path =>
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var lines = new StreamReader(s).ReadToEnd().Split('\n');
            return $"--- {path} ---\n" + string.Join('\n', lines.TakeLast(30));
        });
        return string.Join('\n', parts);
    }

    private static void SweepStale()
    {
        if (!Directory.Exists(Root) || !Directory.Exists("/proc"))
        {
            return;
        }
        foreach (var dir in Directory.GetDirectories(Root))
        {
            if (!int.TryParse(ReadOrEmpty(Path.Combine(dir, OwnerFile)), out var owner) || Directory.Exists($"/proc/{owner}"))
            {
                continue; // owner alive (or not one of ours): leave it
            }
            // Kill the orphan only if its command line names this dir, so a reused pid is never hit.
            if (int.TryParse(ReadOrEmpty(Path.Combine(dir, ServerFile)), out var pid)
                && ReadOrEmpty($"/proc/{pid}/cmdline").Contains(dir, StringComparison.Ordinal))
            {
                try { using var p = Process.GetProcessById(pid); p.Kill(); p.WaitForExit(5000); }
                catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
            Delete(dir);
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path).Replace('\0', ' ').Trim(); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}
