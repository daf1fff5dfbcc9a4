using System.Diagnostics;

namespace EdgeTelemetry.Arm64Tests;

public class RaspberryPiInstallTests
{
    private static string PiDir => Path.Combine(Repo.Root, "firmware-config", "raspberry-pi");

    [Fact]
    public async Task Install_dry_run_prints_every_step_and_changes_nothing()
    {
        var bootConfig = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(bootConfig, "dtparam=i2c_arm=on\n");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(PiDir, "install.sh"), "--dry-run", "--from", "/nonexistent", "--boot-config", bootConfig }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();

        Assert.Equal(0, p.ExitCode);
        Assert.Contains("useradd --system", stdout);
        Assert.Contains("--groups gpio,i2c,dialout edgetelemetry", stdout);
        Assert.Contains("install -m 0644", stdout);
        Assert.Contains("systemctl enable --now edgetelemetry-agent.service", stdout);
        Assert.Contains($"already in {bootConfig}: dtparam=i2c_arm=on", stdout);
        Assert.Contains($"append to {bootConfig}: dtoverlay=w1-gpio,gpiopin=4", stdout);
        Assert.Equal("dtparam=i2c_arm=on\n", await File.ReadAllTextAsync(bootConfig)); // dry run: untouched
        File.Delete(bootConfig);
    }

    [Fact]
    public void Service_unit_runs_the_agent_as_its_own_user_with_bus_groups_and_restarts_on_failure()
    {
        var unit = File.ReadAllLines(Path.Combine(PiDir, "edgetelemetry-agent.service"))
            .Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        Assert.Equal("edgetelemetry", unit["User"]);
        Assert.Equal("gpio i2c dialout", unit["SupplementaryGroups"]);
        Assert.Equal("on-failure", unit["Restart"]);
        Assert.Equal("/opt/edgetelemetry/agent/EdgeTelemetry.Agent --config /etc/edgetelemetry/agent.yaml", unit["ExecStart"]);
        Assert.Equal("edgetelemetry", unit["StateDirectory"]);
        Assert.False(unit.ContainsKey("PrivateDevices"), "PrivateDevices would hide /dev/i2c-* and /dev/gpiochip*");
    }
}
