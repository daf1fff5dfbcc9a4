using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EdgeTelemetry.LocalServers;

/// <summary>
/// One run of a server binary: output to log files, graceful SIGTERM stop, and a process-wide
/// registry so no server outlives the test host (ProcessExit backstop).
/// </summary>
public sealed class ChildProcess
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcess()
    {
        // Backstop for runs that forget to dispose. A SIGKILLed host gets no event;
        // WorkDirs.SweepStale cleans up after it on the next start instead.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Running.Values)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
        };
    }

    private readonly Process _process;
    private readonly Task _pumps;

    private ChildProcess(Process process, Task pumps) => (_process, _pumps) = (process, pumps);

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <param name="environment">Variables set for the child only (e.g. DOTNET_GC* settings under test).</param>
    public static ChildProcess Start(string exe, IEnumerable<string> args, string workDir, string stdoutPath, string stderrPath,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // never let a server read the test host's stdin
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        Running[process.Id] = process;
        var pumps = Task.WhenAll(
            Pump(process.StandardOutput.BaseStream, stdoutPath),
            Pump(process.StandardError.BaseStream, stderrPath));
        return new ChildProcess(process, pumps);
    }

    private static async Task Pump(Stream from, string path)
    {
        await using var to = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var buffer = new byte[4096];
        int n;
        while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
            await to.FlushAsync().ConfigureAwait(false); // log tails must be readable while it runs
        }
    }

    /// <summary>SIGTERM (servers save their state), then kill after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken ct)
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) == 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // did not stop in time: fall through to kill
            }
        }
        await KillAsync().ConfigureAwait(false);
    }

    public async Task KillAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _pumps.ConfigureAwait(false);
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>
    /// Launches <paramref name="server"/> on ports chosen by <paramref name="pickPorts"/>; when a port was taken between
    /// our probe and the server's bind, picks new ones (three attempts). On any other failure the server is disposed.
    /// </summary>
    public static async Task<T> LaunchOnFreePortsAsync<T>(T server, Action pickPorts, Func<Task> launch) where T : IAsyncDisposable
    {
        for (var attempt = 1; ; attempt++)
        {
            pickPorts();
            try
            {
                await launch().ConfigureAwait(false);
                return server;
            }
            catch (ServerStartException e) when (e.PortInUse && attempt < 3)
            {
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>A loopback port nobody listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>Polls <paramref name="ready"/> until true; throws with the log tail when the
    /// process exits or the deadline passes.</summary>
    public async Task WaitUntilReadyAsync(Func<CancellationToken, Task<bool>> ready, TimeSpan deadline,
        string what, Func<string> logTail, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _pumps.ConfigureAwait(false);
                throw new ServerStartException($"{what} exited with code {_process.ExitCode} while starting.\n{logTail()}");
            }
            if (await ready(ct).ConfigureAwait(false) && !_process.HasExited)
            {
                return;
            }
            if (sw.Elapsed > deadline)
            {
                throw new ServerStartException($"{what} was not ready after {deadline.TotalSeconds:0} s.\n{logTail()}");
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static async Task<bool> AcceptsTcpAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, ct).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A server did not come up; the message carries the tail of its logs.</summary>
public sealed class ServerStartException(string message) : Exception(message)
{
    /// <summary>True when the log says the port was taken (another process won the race for it).</summary>
    public bool PortInUse => Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
}
