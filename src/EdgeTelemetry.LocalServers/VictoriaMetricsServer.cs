using System.Text.Json;

namespace EdgeTelemetry.LocalServers;

/// <summary>One exported series: its labels (<c>__name__</c> is measurement_field), values and millisecond timestamps.</summary>
public sealed record VictoriaSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<double> Values, IReadOnlyList<long> TimestampsMs)
{
    public string Name => Labels.GetValueOrDefault("__name__", "");
}

/// <summary>
/// A real VictoriaMetrics (Debian's single-node victoria-metrics) as a child process on a free loopback port, data
/// in a temp dir. It accepts InfluxDB line protocol on <c>/api/v2/write</c>, so it is a second real target for the
/// v2 write path (Debian's influxd 1.6 serves only v1); <see cref="ExportAsync"/> reads points back through
/// <c>/api/v1/export</c>. Stored timestamps have millisecond precision; a field becomes the metric
/// <c>measurement_field</c> with the point's tags as labels.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(30);

    private readonly string _exe;
    private readonly string _workDir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ChildProcess? _process;
    private bool _disposed;

    private readonly (string User, string Password)? _auth;

    private VictoriaMetricsServer(string exe, string workDir, (string, string)? auth)
    {
        (_exe, _workDir, _auth) = (exe, workDir, auth);
        if (auth is var (user, password))
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public Uri Url { get; private set; } = new("http://127.0.0.1/");
    public int Port { get; private set; }
    public bool IsRunning => _process is { HasExited: false };
    public string LogPath => Path.Combine(_workDir, "victoria-metrics.stderr.log");
    private string StdoutPath => Path.Combine(_workDir, "victoria-metrics.stdout.log");

    /// <summary>
    /// Starts victoria-metrics on a free port with data in a temp dir (deleted on dispose). With
    /// <paramref name="basicAuth"/> every request needs those credentials (<c>-httpAuth.*</c>); others get 401.
    /// </summary>
    public static async Task<VictoriaMetricsServer> StartAsync((string User, string Password)? basicAuth = null, CancellationToken ct = default)
    {
        var server = new VictoriaMetricsServer(ExecutableLocator.VictoriaMetrics(), WorkDirs.Create("victoria-metrics"), basicAuth);
        return await ChildProcess.LaunchOnFreePortsAsync(server, () =>
        {
            server.Port = ChildProcess.FreePort();
            server.Url = new Uri($"http://127.0.0.1:{server.Port}");
        }, () => server.LaunchAsync(ct)).ConfigureAwait(false);
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        List<string> args =
        [
            $"-storageDataPath={Path.Combine(_workDir, "data")}",
            $"-httpListenAddr=127.0.0.1:{Port}",
            "-retentionPeriod=100y", // test points may carry any past timestamp
            "-loggerOutput=stderr",
        ];
        if (_auth is var (user, password)) args.AddRange([$"-httpAuth.username={user}", $"-httpAuth.password={password}"]);
        var process = ChildProcess.Start(_exe, args, _workDir, StdoutPath, LogPath);
        _process = process;
        WorkDirs.RecordServerPid(_workDir, process.Id);
        try
        {
            await process.WaitUntilReadyAsync(HealthyAsync, ReadyDeadline, $"victoria-metrics on port {Port}",
                () => WorkDirs.Tail(LogPath, StdoutPath), ct).ConfigureAwait(false);
        }
        catch
        {
            _process = null;
            await process.KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> HealthyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var response = await _http.GetAsync(new Uri(Url, "/health"), timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false)).Trim() == "OK";
        }
        catch (HttpRequestException) { return false; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }

    /// <summary>
    /// Series matching <paramref name="match"/> (a series selector, e.g. <c>{__name__=~"tank_.*"}</c>), read through
    /// <c>/api/v1/export</c> after flushing what was just ingested (<c>/internal/force_flush</c>), so a point
    /// written before the call is in the answer.
    /// </summary>
    public async Task<IReadOnlyList<VictoriaSeries>> ExportAsync(string match, CancellationToken ct = default)
    {
        using (var flush = await _http.GetAsync(new Uri(Url, "/internal/force_flush"), ct).ConfigureAwait(false))
            flush.EnsureSuccessStatusCode();
        using var response = await _http.GetAsync(new Uri(Url, "/api/v1/export?match[]=" + Uri.EscapeDataString(match)), ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"export answered {(int)response.StatusCode}: {body}");
        var series = new List<VictoriaSeries>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            series.Add(new VictoriaSeries(
                root.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
                [.. root.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())],
                [.. root.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64())]));
        }
        return series;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_process is { } p)
        {
            _process = null;
            await p.KillAsync().ConfigureAwait(false);
        }
        _http.Dispose();
        WorkDirs.Delete(_workDir);
    }
}
