using System.Runtime.InteropServices;

namespace EdgeTelemetry.Arm64Tests;

/// <summary>
/// A fact that is skipped, saying why, when a command-line tool it needs is not installed. xunit 2.9.3
/// has no dynamic skip (no Assert.Skip, no SkipException: those came with xunit v3), so the reason is
/// decided at discovery, which is what <see cref="FactAttribute.Skip"/> reports as a real skip.
/// </summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !OnPath(t)).ToList();
        if (missing.Count > 0)
            Skip = $"needs {string.Join(", ", missing)} (scripts/test.sh installs them: scripts/install-deps.sh qemu-user-static debootstrap)";
        else if (!Arm64RootFs.IsReady && geteuid() != 0)
            Skip = $"no cached arm64 root filesystem at {Arm64RootFs.Path} and not root: debootstrap needs root; run scripts/arm64-smoke.sh --prepare-only once as root";
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, tool)));

    [DllImport("libc")]
    private static extern uint geteuid();
}

/// <summary>Where scripts/arm64-smoke.sh caches the bookworm arm64 root filesystem.</summary>
public static class Arm64RootFs
{
    public static string Path { get; } = System.IO.Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "edgetelemetry", "arm64-rootfs");

    /// <summary>The script writes this marker only after debootstrap succeeded and libssl3 was unpacked.</summary>
    public static bool IsReady => File.Exists(System.IO.Path.Combine(Path, ".edgetelemetry-ready"));
}
