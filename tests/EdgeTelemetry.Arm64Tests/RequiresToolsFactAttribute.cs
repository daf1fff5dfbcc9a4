namespace EdgeTelemetry.Arm64Tests;

/// <summary>A fact that is skipped, saying why, when a command-line tool it needs is not installed.</summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !OnPath(t)).ToList();
        if (missing.Count > 0) Skip = $"needs {string.Join(", ", missing)} (scripts/test.sh installs qemu-user-static and debootstrap)";
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
