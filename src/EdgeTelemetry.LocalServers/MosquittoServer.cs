namespace EdgeTelemetry.LocalServers;

/// <summary>
/// A real Mosquitto broker as a child process on a free loopback port, configured from the shipped
/// firmware-config/broker/mosquitto.conf (see <see cref="MosquittoConfig"/>).
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly string _exe;
    private readonly string _workDir;
    private readonly bool _ownsWorkDir;
    private ChildProcess? _process;
    private bool _disposed;

    private readonly MosquittoAuth? _auth;

    private MosquittoServer(string exe, string workDir, bool ownsWorkDir, MosquittoAuth? auth)
    {
        (_exe, _workDir, _ownsWorkDir, _auth) = (exe, workDir, ownsWorkDir, auth);
        LogPath = Path.Combine(workDir, "mosquitto.log");
        ConfigPath = Path.Combine(workDir, "mosquitto.conf");
        DataDir = Path.Combine(workDir, "data");
    }

    public string Host => "127.0.0.1";
    public int Port { get; private set; }
    public bool IsRunning => _process is { HasExited: false };
    /// <summary>The broker's pid while it runs (for SIGHUP: re-read password file and ACL).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;
    /// <summary>Mosquitto's own log (log_dest file).</summary>
    public string LogPath { get; }
    /// <summary>The generated config the broker runs with.</summary>
    public string ConfigPath { get; }
    /// <summary>persistence_location: survives <see cref="StopAsync"/>/<see cref="StartAgainAsync"/>.</summary>
    public string DataDir { get; }
    private string StdoutPath => Path.Combine(_workDir, "mosquitto.stdout.log");
    private string StderrPath => Path.Combine(_workDir, "mosquitto.stderr.log");

    /// <summary>Starts a broker on a free port. Without <paramref name="workDir"/> a temp dir is
    /// created and deleted on dispose; a given dir is kept.</summary>
    public static Task<MosquittoServer> StartAsync(string? workDir = null, CancellationToken ct = default) =>
        StartCoreAsync(auth: null, workDir, ct);

    /// <summary>As <see cref="StartAsync(string?, CancellationToken)"/> with <see cref="Overrides"/> set from the first start.</summary>
    public static Task<MosquittoServer> StartAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct = default) =>
        StartCoreAsync(auth: null, null, ct, overrides);

    /// <summary>As <see cref="StartAsync(string?, CancellationToken)"/>; with <paramref name="auth"/>
    /// anonymous access is off and the password file and ACL apply, as in production.</summary>
    public static Task<MosquittoServer> StartWithAuthAsync(MosquittoAuth auth, string? workDir = null, CancellationToken ct = default) =>
        StartCoreAsync(auth, workDir, ct);

    private static async Task<MosquittoServer> StartCoreAsync(MosquittoAuth? auth, string? workDir, CancellationToken ct, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var exe = ExecutableLocator.Mosquitto();
        var server = new MosquittoServer(exe, workDir ?? WorkDirs.Create("mosquitto"), ownsWorkDir: workDir is null, auth);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) server.Overrides[key] = value;
        Directory.CreateDirectory(server._workDir);
        Directory.CreateDirectory(server.DataDir);
        return await ChildProcess.LaunchOnFreePortsAsync(server, () => server.Port = ChildProcess.FreePort(), () => server.LaunchAsync(ct)).ConfigureAwait(false);
    }

    /// <summary>
    /// Options set over the shipped config at the next (re)start, e.g. <c>max_queued_messages</c> = "10"
    /// for a test of a full queue. Empty: the shipped limits, as in production.
    /// </summary>
    public Dictionary<string, string> Overrides { get; } = new(StringComparer.Ordinal);

    /// <summary>SIGKILL, as a crash or power loss: nothing is saved beyond the last autosave.</summary>
    public async Task KillAsync()
    {
        if (_process is { } p)
        {
            _process = null;
            await p.KillAsync().ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM (Mosquitto then writes its persistence file), wait; kill after 10 s.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (_process is { } p)
        {
            _process = null;
            await p.StopAsync(StopGrace, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Restarts on the same port with the same persistence dir; returns once it accepts TCP.</summary>
    public Task StartAgainAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_process is not null)
        {
            throw new InvalidOperationException("Mosquitto is still running; call StopAsync first.");
        }
        return LaunchAsync(ct);
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        await File.WriteAllTextAsync(ConfigPath, MosquittoConfig.ForLocalBroker(Port, DataDir, LogPath, _auth, overrides: Overrides), ct).ConfigureAwait(false);
        var logStart = File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;
        var process = ChildProcess.Start(_exe, ["-c", ConfigPath], _workDir, StdoutPath, StderrPath);
        _process = process;
        WorkDirs.RecordServerPid(_workDir, process.Id);
        try
        {
            // "running" is logged once all listeners are bound; the TCP probe alone could be answered
            // by whoever else holds the port while our broker is failing to bind it.
            await process.WaitUntilReadyAsync(
                async c => LoggedSince(logStart).Contains(" running", StringComparison.Ordinal)
                           && await ChildProcess.AcceptsTcpAsync(Port, c).ConfigureAwait(false),
                ReadyDeadline,
                $"mosquitto on port {Port}", () => WorkDirs.Tail(StderrPath, LogPath), ct).ConfigureAwait(false);
        }
        catch
        {
            _process = null;
            await process.KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string LoggedSince(long offset)
    {
        if (!File.Exists(LogPath))
        {
            return "";
        }
        using var s = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        s.Position = Math.Min(offset, s.Length);
        return new StreamReader(s).ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_process is { } p)
        {
            _process = null;
            await p.KillAsync().ConfigureAwait(false); // state no longer matters: no graceful stop
        }
        if (_ownsWorkDir)
        {
            WorkDirs.Delete(_workDir);
        }
    }
}
