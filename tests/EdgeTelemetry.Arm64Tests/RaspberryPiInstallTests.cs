namespace EdgeTelemetry.Arm64Tests;

/// <summary>firmware-config/raspberry-pi: install.sh (dry run, and its boot-file step on copies) and the systemd unit.</summary>
public sealed class RaspberryPiInstallTests : IDisposable
{
    private static string PiDir => Path.Combine(Repo.Root, "firmware-config", "raspberry-pi");
    private readonly string _tmp = Directory.CreateTempSubdirectory("et-pi-").FullName;

    /// <summary>The end of a bookworm config.txt: a model filter last, and no final newline.</summary>
    private const string BootConfig = "dtparam=audio=on\ndtparam=i2c_arm=on\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host";
    private const string Cmdline = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n";

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public async Task Install_dry_run_prints_every_step_and_changes_nothing()
    {
        var (bootConfig, cmdline) = await BootFilesAsync();
        var userExisted = await RunAsync("id", "edgetelemetry") is (0, _, _);
        string[] systemPaths = ["/opt/edgetelemetry", "/etc/edgetelemetry", "/etc/systemd/system/edgetelemetry-agent.service"];
        var existedBefore = systemPaths.Where(p => Path.Exists(p)).ToList();

        var (exit, stdout, stderr) = await RunAsync("bash", Path.Combine(PiDir, "install.sh"), "--dry-run", "--from", "/nonexistent",
            "--boot-config", bootConfig, "--cmdline", cmdline);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("DRY RUN", stdout);
        Assert.Contains("no published agent at /nonexistent", stderr);
        if (userExisted) Assert.Contains("usermod --append --groups gpio,i2c,dialout edgetelemetry", stdout);
        else Assert.Contains("useradd --system --user-group", stdout);
        Assert.Contains("--groups gpio,i2c,dialout edgetelemetry", stdout);
        Assert.Contains("cp -a /nonexistent/. /opt/edgetelemetry/agent.new/", stdout);
        Assert.Contains("/etc/edgetelemetry/agent.yaml", stdout);
        Assert.Contains($"install -m 0644 {PiDir}/edgetelemetry-agent.service /etc/systemd/system/edgetelemetry-agent.service", stdout);
        Assert.Contains("systemctl enable edgetelemetry-agent.service", stdout);
        Assert.Contains($"already in {bootConfig}: dtparam=i2c_arm=on", stdout);
        foreach (var line in new[] { "[all]", "dtoverlay=w1-gpio,gpiopin=4", "enable_uart=1", "dtoverlay=disable-bt" })
            Assert.Contains($"append to {bootConfig}: {line}", stdout);
        Assert.Contains($"remove console=serial0", stdout);

        // Nothing changed: the boot files, the user, the system paths.
        Assert.Equal(BootConfig, await File.ReadAllTextAsync(bootConfig));
        Assert.Equal(Cmdline, await File.ReadAllTextAsync(cmdline));
        Assert.Equal(userExisted, await RunAsync("id", "edgetelemetry") is (0, _, _));
        Assert.Equal(existedBefore, systemPaths.Where(p => Path.Exists(p)).ToList());
        Assert.Equal(2, Directory.GetFiles(_tmp).Length);
    }

    [Fact]
    public async Task Boot_files_get_the_missing_lines_once_under_an_all_filter_and_lose_the_serial_console()
    {
        var (bootConfig, cmdline) = await BootFilesAsync();
        string[] args = [Path.Combine(PiDir, "install.sh"), "--boot-only", "--boot-config", bootConfig, "--cmdline", cmdline];

        var first = await RunAsync("bash", args);
        Assert.True(first.Exit == 0, first.Stdout + first.Stderr);
        var edited = (await File.ReadAllLinesAsync(bootConfig)).ToList();
        // The original lines, untouched; the last one no longer glued to what follows.
        Assert.Equal(BootConfig.Split('\n'), edited.Take(5));
        var added = edited.Skip(5).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(["[all]", "dtparam=i2c_arm_baudrate=100000", "dtoverlay=w1-gpio,gpiopin=4", "enable_uart=1", "dtoverlay=disable-bt", "dtparam=uart0=on"], added);
        Assert.Single(edited, "dtparam=i2c_arm=on");
        Assert.Equal(BootConfig, await File.ReadAllTextAsync(bootConfig + ".before-edgetelemetry"));
        Assert.Equal("console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n", await File.ReadAllTextAsync(cmdline));

        // Idempotent: a second run finds everything in place and writes nothing.
        var afterFirst = await File.ReadAllTextAsync(bootConfig);
        var second = await RunAsync("bash", args);
        Assert.True(second.Exit == 0, second.Stdout + second.Stderr);
        Assert.Equal(afterFirst, await File.ReadAllTextAsync(bootConfig));
        Assert.DoesNotContain("append to", second.Stdout);
        Assert.Contains("no serial console", second.Stdout);
    }

    [Fact]
    public void Service_unit_runs_the_agent_as_its_own_user_with_bus_groups_and_restarts_on_failure()
    {
        var unit = File.ReadAllLines(Path.Combine(PiDir, "edgetelemetry-agent.service"))
            .Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        Assert.Equal("edgetelemetry", unit["User"]);
        Assert.Equal("gpio i2c dialout", unit["SupplementaryGroups"]);
        Assert.Equal("/opt/edgetelemetry/agent/EdgeTelemetry.Agent --config /etc/edgetelemetry/agent.yaml", unit["ExecStart"]);
        Assert.Equal("on-failure", unit["Restart"]);
        Assert.True(int.Parse(unit["RestartSec"]) > 0);
        Assert.True(int.Parse(unit["StartLimitBurst"]) > 1 && int.Parse(unit["StartLimitIntervalSec"]) > 0);
        Assert.Equal("edgetelemetry", unit["StateDirectory"]);
        // The agent drains for up to 5 s on SIGTERM; systemd must not kill it first.
        Assert.True(int.Parse(unit["TimeoutStopSec"]) >= 15, "TimeoutStopSec must leave room for the 5 s drain");
        Assert.Equal("strict", unit["ProtectSystem"]);
        Assert.Contains("/var/lib/edgetelemetry", unit["ReadWritePaths"]);
        // Each of these would hide or deny /dev/i2c-*, /dev/gpiochip*, /dev/ttyAMA0 or break the JIT.
        foreach (var key in new[] { "PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock", "MemoryDenyWriteExecute", "ProtectKernelTunables" })
            Assert.False(unit.ContainsKey(key), $"{key} would block the buses or the .NET JIT");
    }

    [RequiresToolsFact("systemd-analyze")]
    public async Task Service_unit_passes_systemd_analyze_verify()
    {
        // A throwaway root with the system's own units (for the targets it names) and a stand-in agent.
        var root = Path.Combine(_tmp, "root");
        var systemUnits = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.First(Directory.Exists);
        Assert.Equal(0, (await RunAsync("mkdir", "-p", $"{root}/usr/lib/systemd", $"{root}/etc/systemd/system", $"{root}/opt/edgetelemetry/agent")).Exit);
        Assert.Equal(0, (await RunAsync("cp", "-r", systemUnits, $"{root}/usr/lib/systemd/system")).Exit);
        var agent = $"{root}/opt/edgetelemetry/agent/EdgeTelemetry.Agent";
        await File.WriteAllTextAsync(agent, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.Copy(Path.Combine(PiDir, "edgetelemetry-agent.service"), $"{root}/etc/systemd/system/edgetelemetry-agent.service");

        var (exit, stdout, stderr) = await RunAsync("systemd-analyze", "verify", $"--root={root}", $"{root}/etc/systemd/system/edgetelemetry-agent.service");

        // Unknown keys and bad values are only warnings (exit 0), so any output is a failure.
        Assert.True(exit == 0 && stdout.Trim().Length == 0 && stderr.Trim().Length == 0, $"exit {exit}\n{stdout}\n{stderr}");
    }

    private async Task<(string BootConfig, string Cmdline)> BootFilesAsync()
    {
        var bootConfig = Path.Combine(_tmp, "config.txt");
        var cmdline = Path.Combine(_tmp, "cmdline.txt");
        await File.WriteAllTextAsync(bootConfig, BootConfig);
        await File.WriteAllTextAsync(cmdline, Cmdline);
        return (bootConfig, cmdline);
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(string exe, params string[] args) => Shell.RunAsync(exe, args);
}
