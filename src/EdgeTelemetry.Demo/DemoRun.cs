using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using EdgeTelemetry.LocalServers;

namespace EdgeTelemetry.Demo;

/// <summary>
/// The whole system on loopback: mosquitto and influxd as child processes with data in a temp
/// dir, the central service, and three simulated agents (centrifuge, shaking table, mercury
/// monitor) from firmware-config/examples. Prints a status line every few seconds and, at the end,
/// what InfluxDB holds (read back with a query, not from counters).
/// </summary>
public static class DemoRun
{
    private const string Database = "edgetelemetry";
    private static readonly string[] Stations = ["centrifuge-station", "shaking-table-station", "mercury-monitor"];

    public static async Task<int> RunAsync(string[] args)
    {
        var duration = ParseDuration(args);
        var configuration = ArgValue(args, "--configuration") ?? "Release";
        var root = FindRepoRoot();
        var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        if (duration is { } d) stop.CancelAfter(d);

        var work = Directory.CreateTempSubdirectory("edgetelemetry-demo-").FullName;
        Console.WriteLine($"demo: data and logs in {work}");
        await using var broker = await MosquittoServer.StartAsync(Path.Combine(work, "mosquitto"));
        await using var influx = await InfluxDbServer.StartAsync(Path.Combine(work, "influxdb"));
        Console.WriteLine($"demo: mosquitto on 127.0.0.1:{broker.Port}, influxd on {influx.Url}");

        var centralPort = ChildProcess.FreePort();
        var central = StartDotnet(root, configuration, "EdgeTelemetry.Central", work, "central",
        [
            "--urls", $"http://127.0.0.1:{centralPort}",
            "--environment", "Development", // the public demo keys work only there
            $"--Ingest:BrokerPort={broker.Port}",
            $"--Influx:Url={influx.Url}",
            $"--Influx:Database={Database}",
        ]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitForAsync(async () => (await TryGet(http, $"http://127.0.0.1:{centralPort}/healthz")) == 200, TimeSpan.FromSeconds(60), "central service /healthz");
        Console.WriteLine($"demo: central service on http://127.0.0.1:{centralPort} (page /?key=demo-operator-key-NOT-SECRET, /api, /metrics)");

        var agents = new List<(string Device, string Buffer, ChildProcess Process)>();
        foreach (var station in Stations)
        {
            var buffer = Path.Combine(work, $"{station}-buffer");
            // A station whose config serves the local page gets a free loopback port, so the demo never clashes with one in use.
            var pagePort = ChildProcess.FreePort();
            var process = StartDotnet(root, configuration, "EdgeTelemetry.Agent", work, station,
            [
                "--config", Path.Combine(root, "firmware-config", "examples", $"{station}.yaml"),
                $"--Agent:Broker:Port={broker.Port}",
                $"--Agent:Buffer:Path={buffer}",
                "--Agent:Hardware=emulated",
                "--Agent:LocalPage:Address=127.0.0.1",
                $"--Agent:LocalPage:Port={pagePort}",
            ]);
            if (File.ReadAllText(Path.Combine(root, "firmware-config", "examples", $"{station}.yaml")).Contains("localPage:", StringComparison.Ordinal))
                Console.WriteLine($"demo: {station}'s page on http://127.0.0.1:{pagePort}/ (acknowledge PIN in its config)");
            agents.Add((station, buffer, process));
        }
        Console.WriteLine($"demo: {agents.Count} agents started ({string.Join(", ", Stations)}); Ctrl-C stops{(duration is null ? "" : $", or after {duration.Value.TotalSeconds:F0} s")}");

        var started = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(5), stop.Token); }
            catch (OperationCanceledException) { break; }
            await PrintStatusAsync(started.Elapsed, agents.Select(a => a.Buffer), influx);
        }

        Console.WriteLine("demo: stopping agents (they send what they buffered first)");
        await Task.WhenAll(agents.Select(a => a.Process.StopAsync(TimeSpan.FromSeconds(20), CancellationToken.None)));
        var totals = await BufferStatus.SumAsync(agents.Select(a => a.Buffer));
        // Give the central service time to store what the broker still holds for it.
        await WaitForAsync(async () => (await StoredAsync(influx)).Points >= totals.Sent, TimeSpan.FromSeconds(30), "central service to store every sent sample", throwOnTimeout: false);
        // Receipts that arrive while the agents are stopped wait in their broker sessions for the next start.
        await PrintReceiptsAsync(http, centralPort, influx);
        await central.StopAsync(TimeSpan.FromSeconds(20), CancellationToken.None);

        var (points, devices) = await StoredAsync(influx);
        var seconds = started.Elapsed.TotalSeconds;
        Console.WriteLine($"demo: sampled {totals.Sampled}, sent {totals.Sent}, receipted {totals.Receipted}, still buffered {totals.Unsent}; central stored {points / seconds:F1} points/s over {seconds:F0} s");
        Console.WriteLine($"stored {points} points from {devices} devices");
        return 0;
    }

    private static async Task PrintStatusAsync(TimeSpan elapsed, IEnumerable<string> buffers, InfluxDbServer influx)
    {
        var totals = await BufferStatus.SumAsync(buffers);
        var stored = await StoredAsync(influx);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"demo: t={elapsed.TotalSeconds,4:F0}s  sampled {totals.Sampled,6}  buffered {totals.Unsent,5}  sent {totals.Sent,6}  receipted {totals.Receipted,6}  stored {stored.Points,6}"));
    }

    /// <summary>Telemetry points in InfluxDB (every measurement with a seq field except the dead-letter store) and their devices.</summary>
    private static async Task<(long Points, int Devices)> StoredAsync(InfluxDbServer influx)
    {
        try
        {
            var series = await influx.QuerySeriesAsync(Database, "SELECT COUNT(seq) FROM /.*/, \"raw\"./.*/ GROUP BY device");
            var telemetry = series.Where(s => s.Name != "rejects" && s.Rows.Count > 0).ToList();
            return (telemetry.Sum(s => Convert.ToInt64(s.Rows[0][1], CultureInfo.InvariantCulture)),
                telemetry.Select(s => s.Tags.GetValueOrDefault("device")).Distinct().Count());
        }
        catch (InvalidOperationException) { return (0, 0); } // database not created yet
        catch (HttpRequestException) { return (0, 0); }
    }

    /// <summary>What receipts cost on the wire (central /metrics) and how long they take (agents' last agent_health).</summary>
    private static async Task PrintReceiptsAsync(HttpClient http, int centralPort, InfluxDbServer influx)
    {
        try
        {
            var metrics = (await http.GetStringAsync($"http://127.0.0.1:{centralPort}/metrics")).Split('\n')
                .Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(' ')).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
            double M(string name) => metrics.GetValueOrDefault(name);
            var (receipts, bytes, stored) = (M("edgetelemetry_receipts_sent_total"), M("edgetelemetry_receipt_bytes_total"), M("edgetelemetry_samples_stored_total"));
            var latency = await influx.QuerySeriesAsync(Database, "SELECT last(receipt_latency_p50), last(receipt_latency_p99) FROM agent_health GROUP BY device");
            var perDevice = string.Join(", ", latency.Where(l => l.Rows.Count > 0).Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Tags.GetValueOrDefault("device")} {Convert.ToDouble(l.Rows[0][1], CultureInfo.InvariantCulture) * 1000:F0}/{Convert.ToDouble(l.Rows[0][2], CultureInfo.InvariantCulture) * 1000:F0} ms")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"demo: receipts {receipts:F0} for {stored:F0} samples stored: {bytes:F0} payload bytes, {(stored > 0 ? bytes / stored : 0):F1} B/sample; receipt latency p50/p99 {(perDevice.Length > 0 ? perDevice : "(no agent_health report with receipts yet)")}"));
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or FormatException or TaskCanceledException)
        {
            Console.WriteLine($"demo: receipt figures unavailable ({ex.Message})");
        }
    }

    private static ChildProcess StartDotnet(string root, string configuration, string project, string work, string name, IEnumerable<string> args)
    {
        var dll = Path.Combine(root, "src", project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build with `dotnet build -c {configuration}` first");
        return ChildProcess.Start("dotnet", [dll, .. args], work, Path.Combine(work, $"{name}.out.log"), Path.Combine(work, $"{name}.err.log"));
    }

    private static async Task<int> TryGet(HttpClient http, string url)
    {
        try { using var r = await http.GetAsync(url); return (int)r.StatusCode; }
        catch (HttpRequestException) { return 0; }
        catch (TaskCanceledException) { return 0; }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, bool throwOnTimeout = true)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                if (throwOnTimeout) throw new TimeoutException($"timed out waiting for {what}");
                Console.WriteLine($"demo: gave up waiting for {what} after {timeout.TotalSeconds:F0} s");
                return;
            }
            await Task.Delay(250);
        }
    }

    private static TimeSpan? ParseDuration(string[] args)
    {
        var value = ArgValue(args, "--duration");
        if (value is null) return null;
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"--duration '{value}' must be a positive number of seconds");
    }

    private static string? ArgValue(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("run the demo from inside the EdgeTelemetry repository");
    }
}
