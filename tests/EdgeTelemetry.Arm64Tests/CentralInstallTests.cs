namespace EdgeTelemetry.Arm64Tests;

/// <summary>firmware-config/central: install.sh (dry run, and its certificate step on a copy) and the systemd unit.</summary>
public sealed class CentralInstallTests : IDisposable
{
    private static string CentralDir => Path.Combine(Repo.Root, "firmware-config", "central");
    private readonly string _tmp = Directory.CreateTempSubdirectory("et-central-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public async Task Install_dry_run_prints_every_step_and_changes_nothing()
    {
        string[] systemPaths = ["/opt/edgetelemetry/central", "/etc/edgetelemetry/central.env", "/etc/systemd/system/edgetelemetry-central.service", "/usr/local/bin/edgetelemetry-central"];
        var existedBefore = systemPaths.Where(Path.Exists).ToList();
        var userExisted = await Shell.RunAsync("id", "edgetelemetry-central") is (0, _, _);

        var (exit, stdout, stderr) = await Shell.RunAsync("bash", Path.Combine(CentralDir, "install.sh"), "--dry-run", "--from", "/nonexistent",
            "--generate-ca", "--host", "broker.test", "--mosquitto-dir", Path.Combine(_tmp, "mosquitto"));

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("DRY RUN", stdout);
        Assert.Contains("no published central service at /nonexistent", stderr);
        if (!userExisted) Assert.Contains("useradd --system --user-group", stdout);
        Assert.Contains("WARNING: generating a LOCAL CA", stdout);
        Assert.Contains("openssl req -x509", stdout);
        Assert.Contains("/CN=broker.test", stdout);
        Assert.Contains($"install -m 0644 {Repo.Root}/firmware-config/broker/acl {_tmp}/mosquitto/acl", stdout);
        Assert.Contains("with a 127.0.0.1:1883 listener", stdout);
        Assert.Contains("write /etc/edgetelemetry/central.env (mode 0600, owner edgetelemetry-central:edgetelemetry-central)", stdout);
        Assert.Contains("write /etc/edgetelemetry/devices.json (mode 0600", stdout);
        Assert.Contains("cp -a /nonexistent/. /opt/edgetelemetry/central.new/", stdout);
        Assert.Contains("/usr/local/bin/edgetelemetry-central retention apply", stdout);
        Assert.Contains($"install -m 0644 {CentralDir}/edgetelemetry-central.service /etc/systemd/system/edgetelemetry-central.service", stdout);
        Assert.Contains("systemctl enable mosquitto edgetelemetry-central.service", stdout);
        Assert.DoesNotContain("Ingest__Password=", stdout); // secrets are written, never printed

        Assert.False(Directory.Exists(Path.Combine(_tmp, "mosquitto")));
        Assert.Equal(existedBefore, systemPaths.Where(Path.Exists).ToList());
        Assert.Equal(userExisted, await Shell.RunAsync("id", "edgetelemetry-central") is (0, _, _));
    }

    [RequiresCommandFact("openssl")]
    public async Task A_generated_local_ca_signs_a_server_certificate_for_the_host_once_and_a_second_run_keeps_it()
    {
        var dir = Path.Combine(_tmp, "mosquitto");
        string[] args = [Path.Combine(CentralDir, "install.sh"), "--tls-only", "--generate-ca", "--host", "broker.test", "--mosquitto-dir", dir];

        var first = await Shell.RunAsync("bash", args);
        Assert.True(first.Exit == 0, first.Stdout + first.Stderr);
        Assert.Contains("WARNING: generating a LOCAL CA", first.Stdout);
        var ca = Path.Combine(dir, "ca_certificates", "ca.crt");
        var crt = Path.Combine(dir, "certs", "server.crt");
        var verify = await Shell.RunAsync("openssl", "verify", "-CAfile", ca, crt);
        Assert.True(verify.Exit == 0, verify.Stdout + verify.Stderr);
        var text = await Shell.RunAsync("openssl", "x509", "-in", crt, "-noout", "-text");
        Assert.Contains("DNS:broker.test", text.Stdout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "ca_certificates", "ca.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(dir, "certs", "server.key")));

        // Idempotent: the certificates the Pis already trust are kept.
        var before = await File.ReadAllBytesAsync(crt);
        var second = await Shell.RunAsync("bash", args);
        Assert.True(second.Exit == 0, second.Stdout + second.Stderr);
        Assert.Contains("keeping the certificates", second.Stdout);
        Assert.DoesNotContain("openssl req", second.Stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(crt));
    }

    [Fact]
    public async Task Without_certificates_or_generate_ca_the_tls_step_refuses_to_go_on()
    {
        var (exit, _, stderr) = await Shell.RunAsync("bash", Path.Combine(CentralDir, "install.sh"), "--tls-only", "--mosquitto-dir", Path.Combine(_tmp, "m"));
        Assert.Equal(1, exit);
        Assert.Contains("--generate-ca", stderr);
    }

    [Fact]
    public void Service_unit_runs_as_its_own_user_with_secrets_in_an_environment_file_and_hardening()
    {
        var unit = File.ReadAllLines(Path.Combine(CentralDir, "edgetelemetry-central.service"))
            .Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        Assert.Equal("edgetelemetry-central", unit["User"]);
        Assert.Equal("/etc/edgetelemetry/central.env", unit["EnvironmentFile"]);
        Assert.Equal("/opt/edgetelemetry/central/EdgeTelemetry.Central", unit["ExecStart"]); // no secret on the command line
        Assert.Equal("on-failure", unit["Restart"]);
        Assert.Equal("strict", unit["ProtectSystem"]);
        foreach (var key in new[] { "NoNewPrivileges", "PrivateDevices", "ProtectHome", "PrivateTmp", "ProtectKernelTunables", "RestrictSUIDSGID" })
            Assert.True(unit.TryGetValue(key, out var v) && v == "true", key);
        Assert.Equal("", unit["CapabilityBoundingSet"]);
        Assert.False(unit.ContainsKey("MemoryDenyWriteExecute"), "the .NET JIT writes code");
        // The env file the script writes: Section__Key lines only, owned by the service user, 0600 (checked in the dry run).
        Assert.All(File.ReadAllLines(Path.Combine(CentralDir, "central.env.example")).Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.Matches(@"^[A-Za-z_]+=", l));
    }

    [RequiresCommandFact("systemd-analyze")]
    public async Task Service_unit_passes_systemd_analyze_verify()
    {
        var root = Path.Combine(_tmp, "root");
        var systemUnits = new[] { "/usr/lib/systemd/system", "/lib/systemd/system" }.First(Directory.Exists);
        Assert.Equal(0, (await Shell.RunAsync("mkdir", "-p", $"{root}/usr/lib/systemd", $"{root}/etc/systemd/system", $"{root}/opt/edgetelemetry/central", $"{root}/etc/edgetelemetry")).Exit);
        Assert.Equal(0, (await Shell.RunAsync("cp", "-r", systemUnits, $"{root}/usr/lib/systemd/system")).Exit);
        var exe = $"{root}/opt/edgetelemetry/central/EdgeTelemetry.Central";
        await File.WriteAllTextAsync(exe, "#!/bin/sh\n");
        File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await File.WriteAllTextAsync($"{root}/etc/edgetelemetry/central.env", "");
        File.Copy(Path.Combine(CentralDir, "edgetelemetry-central.service"), $"{root}/etc/systemd/system/edgetelemetry-central.service");

        var (exit, stdout, stderr) = await Shell.RunAsync("systemd-analyze", "verify", $"--root={root}", $"{root}/etc/systemd/system/edgetelemetry-central.service");

        Assert.True(exit == 0 && stdout.Trim().Length == 0 && stderr.Trim().Length == 0, $"exit {exit}\n{stdout}\n{stderr}");
    }
}
