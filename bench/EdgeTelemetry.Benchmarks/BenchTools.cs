using System.Globalization;

namespace EdgeTelemetry.Benchmarks;

/// <summary>What every bench mode needs: its options, the repository, and a process's figures from /proc.</summary>
internal static class BenchTools
{
    /// <summary>The value after <paramref name="name"/> ("--seconds 60"), or null.</summary>
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The repository the bench was built in (the folder holding EdgeTelemetry.sln).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("run the bench from its build inside the repository");
    }

    /// <summary>utime + stime of a process from /proc/pid/stat, in seconds (clock ticks of 1/100 s); 0 for no process.</summary>
    public static double CpuSeconds(int pid)
    {
        if (pid <= 0) return 0;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The pid of our child process with this command name (InfluxDbServer does not expose it); -1 if none.</summary>
    public static int ChildPid(string comm)
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        foreach (var pid in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() == comm) return int.Parse(pid, CultureInfo.InvariantCulture);
        return -1;
    }

    /// <summary>A kB field of /proc/pid/status ("VmRSS:", "VmHWM:") in MB.</summary>
    public static double StatusMb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
