using System.Diagnostics;

namespace EdgeTelemetry.Arm64Tests;

/// <summary>Runs a command to its end, capturing both streams (the install-script tests).</summary>
public static class Shell
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact skipped (saying why) when a command is not installed; unlike RequiresToolsFact it needs no arm64 root filesystem.</summary>
public sealed class RequiresCommandFactAttribute : FactAttribute
{
    public RequiresCommandFactAttribute(string tool)
    {
        if (!RequiresToolsFactAttribute.OnPath(tool)) Skip = $"needs {tool}";
    }
}
