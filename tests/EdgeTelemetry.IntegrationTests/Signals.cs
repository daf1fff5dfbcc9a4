using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>SIGTERM for a graceful stop of a child process (what systemd sends); Process.Kill is SIGKILL.</summary>
public static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static async Task TerminateAsync(Process process, TimeSpan timeout)
    {
        if (Kill(process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
    }
}
