namespace EdgeTelemetry.LocalServers;

/// <summary>Finds the Debian-packaged server binaries the local servers run.</summary>
public static class ExecutableLocator
{
    // Debian installs mosquitto in /usr/sbin, which is not on a non-root user's PATH.
    private static readonly string[] WellKnownDirs = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>Path of mosquitto; override with EDGETELEMETRY_MOSQUITTO.</summary>
    public static string Mosquitto() => Find("mosquitto", "EDGETELEMETRY_MOSQUITTO", "apt-get install mosquitto");

    /// <summary>Path of influxd (InfluxDB 1.x); override with EDGETELEMETRY_INFLUXD.</summary>
    public static string Influxd() => Find("influxd", "EDGETELEMETRY_INFLUXD", "apt-get install influxdb");

    /// <summary>Path of victoria-metrics (single-node); override with EDGETELEMETRY_VICTORIA_METRICS.</summary>
    public static string VictoriaMetrics() => Find("victoria-metrics", "EDGETELEMETRY_VICTORIA_METRICS", "apt-get install victoria-metrics");

    /// <summary>Looks in the override variable, the well-known dirs, then PATH.</summary>
    public static string Find(string name, string overrideVariable, string installHint)
    {
        var overridden = Environment.GetEnvironmentVariable(overrideVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden)
                ? overridden
                : throw new FileNotFoundException($"{overrideVariable}={overridden} does not exist.");
        }
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in WellKnownDirs.Concat(path))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{name} not found: install it with `{installHint}`.");
    }
}
