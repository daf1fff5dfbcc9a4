using System.Globalization;
using System.Diagnostics;
using EdgeTelemetry.Agent;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// A whole system on loopback for one test: real mosquitto and influxd as child processes, the
/// central service in-process, agents in-process or as child processes. Disposed after the test.
/// </summary>
public sealed class Plant : IAsyncDisposable
{
    public const string Database = "edgetelemetry";
    public const string Site = "md-test";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<int> _processIds = [];

    private Plant(MosquittoServer broker, InfluxDbServer influx, string dir)
    {
        Broker = broker;
        Influx = influx;
        Dir = dir;
    }

    public MosquittoServer Broker { get; }
    public InfluxDbServer Influx { get; }
    public string Dir { get; }
    public string CentralClientId { get; } = "central-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>An operator key the plant's central service accepts (every /api endpoint needs one).</summary>
    public string OperatorKey { get; } = "plant-operator-" + Guid.NewGuid().ToString("N");

    /// <param name="brokerOverrides">Broker options over the shipped config (e.g. a tiny max_queued_messages).</param>
    public static async Task<Plant> StartAsync(IReadOnlyDictionary<string, string>? brokerOverrides = null)
    {
        var brokerTask = brokerOverrides is null ? MosquittoServer.StartAsync() : MosquittoServer.StartAsync(brokerOverrides);
        var influxTask = InfluxDbServer.StartAsync();
        var dir = Directory.CreateTempSubdirectory("et-plant-").FullName;
        return new Plant(await brokerTask, await influxTask, dir);
    }

    /// <summary>Starts the central service and waits until its subscriptions are in place.</summary>
    public async Task<WebApplication> StartCentralAsync(params string[] extraArgs)
    {
        var app = CentralApp.Build([.. CentralArgs("http://127.0.0.1:0"), .. extraArgs]);
        await app.StartAsync();
        await app.Services.GetRequiredService<MqttIngestService>().Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
        return app;
    }

    /// <summary>The central service's settings for this plant: this broker and database, short retry delays.</summary>
    private string[] CentralArgs(string url) =>
    [
        "--urls", url,
        $"--Ingest:BrokerPort={Broker.Port}",
        $"--Ingest:ClientId={CentralClientId}",
        $"--Influx:Url={Influx.Url}",
        $"--Influx:Database={Database}",
        "--Influx:RetryMaxDelaySeconds=1",
        "--Ingest:ReconnectMaxSeconds=1",
        "--Logging:LogLevel:Default=Warning",
        "--Api:Keys:0:Name=plant-operator", $"--Api:Keys:0:Key={OperatorKey}", "--Api:Keys:0:Role=operator",
    ];

    /// <summary>Writes an agent config for one simulated sensor and returns its path.</summary>
    public string AgentConfig(string device, string profile = "centrifuge", int intervalMs = 50, string? bufferPath = null) =>
        AgentConfigWith(device, $"""
            sensors:
              - driver: simulated
                profile: {profile}
                equipment: {profile}-1
                intervalMs: {intervalMs}
            """, bufferPath);

    /// <summary>An agent config whose equipment/sensors sections are given as YAML.</summary>
    public string AgentConfigWith(string device, string equipmentAndSensorsYaml, string? bufferPath = null)
    {
        var path = Path.Combine(Dir, $"{device}.yaml");
        File.WriteAllText(path, $"""
            site: {Site}
            device: {device}
            broker:
              host: 127.0.0.1
              port: {Broker.Port}
              reconnectMinSeconds: 0.2
              reconnectMaxSeconds: 1
            buffer:
              path: {bufferPath ?? BufferPath(device)}
              commitIntervalMs: 100
              # Receipt progress on disk within a second or two, for tests that read the buffer from outside.
              progressIntervalSeconds: 1
            publish:
              idleDelayMs: 100
              publishTimeoutSeconds: 5
            """ + "\n" + equipmentAndSensorsYaml);
        return path;
    }

    public string BufferPath(string device) => Path.Combine(Dir, $"{device}.db");

    public Task<IHost> StartAgentAsync(string device, string profile = "centrifuge", int intervalMs = 50) =>
        StartAgentFromAsync(AgentConfig(device, profile, intervalMs));

    public async Task<IHost> StartAgentFromAsync(string configPath, params string[] overrides)
    {
        var host = await AgentApp.BuildAsync(["--config", configPath, "--Logging:LogLevel:Default=Warning", .. overrides]);
        await host.StartAsync();
        return host;
    }

    public static SampleBuffer BufferOf(IHost agent) => agent.Services.GetRequiredService<SampleBuffer>();

    /// <summary>
    /// Starts the agent as its own process (so it can be killed hard): the published ahead-of-time build when
    /// EDGETELEMETRY_AGENT_EXE names it (scripts/test.sh publishes one, so the kill -9 tests run what ships),
    /// else the JIT build beside the tests.
    /// </summary>
    public Process StartAgentProcess(string configPath, params string[] overrides)
    {
        string[] args = ["--config", configPath, "--Logging:LogLevel:Default=Warning", .. overrides];
        return PublishedAgent() is { } exe ? StartProcess(exe, args) : StartDotnet(AppDll("EdgeTelemetry.Agent"), args);
    }

    /// <summary>
    /// The published agent executable the process tests run, if any. scripts/test.sh publishes it while the
    /// first tests run and moves the folder into place when done (a "failed" file beside it if not), so it
    /// is awaited here for as long as an ahead-of-time publish can take on 2 cores.
    /// </summary>
    public static string? PublishedAgent()
    {
        if (Environment.GetEnvironmentVariable("EDGETELEMETRY_AGENT_EXE") is not { Length: > 0 } exe) return null;
        var failed = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(exe)!)!, "failed");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (!File.Exists(exe))
        {
            if (File.Exists(failed)) throw new InvalidOperationException($"publishing the agent for {exe} failed (see scripts/test.sh's output)");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{exe} was not published within 10 minutes");
            Thread.Sleep(500);
        }
        return exe;
    }

    /// <summary>The central service as its own process (so it can be killed hard); returns it and its /metrics URL.</summary>
    /// <param name="extraArgs">Settings over the plant's (a later one wins: e.g. another --Ingest:ClientId for a second instance).</param>
    public (Process Process, Uri Metrics) StartCentralProcess(params string[] extraArgs)
    {
        var port = ChildProcess.FreePort();
        var process = StartDotnet(AppDll("EdgeTelemetry.Central"), [.. CentralArgs($"http://127.0.0.1:{port}"), .. extraArgs]);
        return (process, new Uri($"http://127.0.0.1:{port}/metrics"));
    }

    private Process StartDotnet(string dll, IEnumerable<string> args) => StartProcess("dotnet", [dll, .. args]);

    private Process StartProcess(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processIds.Add(process.Id);
        return process;
    }

    /// <summary>An app built beside this test assembly's configuration (Debug/Release).</summary>
    private static string AppDll(string project)
    {
        var testDir = AppContext.BaseDirectory;
        var config = testDir.Contains("/Release/") ? "Release" : "Debug";
        var root = new DirectoryInfo(testDir);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "EdgeTelemetry.sln"))) root = root.Parent;
        var dll = Path.Combine(root!.FullName, "src", project, "bin", config, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{project} not built", dll);
    }

    /// <summary>A counter from a central process's /metrics.</summary>
    public static async Task<long> CounterAsync(Uri metrics, string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(metrics);
        var line = text.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return long.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a buffer file from outside the agent (WAL allows a concurrent reader).</summary>
    public static Task<BufferPeek> ReadBufferFileAsync(string path) => SampleBuffer.PeekAsync(path);

    /// <summary>
    /// Sequence numbers stored for a device across every measurement its samples go to (telemetry,
    /// alarms, agent health), from InfluxDB; the dead-letter and status measurements are not samples.
    /// </summary>
    public async Task<List<long>> StoredSeqsAsync(string device)
    {
        try
        {
            var series = await Influx.QuerySeriesAsync(Database, $"SELECT seq FROM /.*/, \"raw\"./.*/ WHERE device = '{device}'");
            return series.Where(s => s.Name is not ("rejects" or "device_status"))
                .SelectMany(s => s.Rows.Where(r => r[1] is not null).Select(r => Convert.ToInt64(r[1]))).ToList();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("database not found") || ex.Message.Contains("retention policy not found"))
        {
            return []; // the central service has not created them yet (database first, then its policies)
        }
    }

    public async Task<long> StoredCountAsync(string device) => (await StoredSeqsAsync(device)).Count;

    public void Own(IAsyncDisposable d) => _owned.Add(d);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try { await _owned[i].DisposeAsync(); } catch { /* best effort during teardown */ }
        }
        // A failed test must not leave agents or central services running after it.
        foreach (var id in _processIds)
        {
            try
            {
                using var p = Process.GetProcessById(id);
                if (!p.HasExited && p.ProcessName == "dotnet") p.Kill(entireProcessTree: true);
            }
            catch (ArgumentException) { } // already gone
            catch (InvalidOperationException) { }
        }
        await Broker.DisposeAsync();
        await Influx.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

public static class Eventually
{
    /// <summary>Awaits a condition, polling, with a deadline; fails with <paramref name="what"/> and the last state.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task<string>>? state = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}" + (state is null ? "" : $"; state: {await state()}"));
            await Task.Delay(100);
        }
    }
}
