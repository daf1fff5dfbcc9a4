using System.Diagnostics;
using System.Security.Cryptography;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Devices;

/// <summary>How enrolment reaches the broker (section "Devices").</summary>
public sealed class DeviceEnrolmentOptions
{
    public const string Section = "Devices";

    /// <summary>Mosquitto's password_file.</summary>
    public string PasswdFile { get; set; } = "/etc/mosquitto/passwd";
    public string MosquittoPasswd { get; set; } = "mosquitto_passwd";
    /// <summary>Run by --reload: makes Mosquitto re-read its password file (SIGHUP).</summary>
    public string ReloadCommand { get; set; } = "systemctl reload mosquitto";
    /// <summary>What the Pi connects to; printed into its agent.yaml lines.</summary>
    public string? BrokerHost { get; set; }
    public int BrokerPort { get; set; } = 8883;
    public bool UseTls { get; set; } = true;
    /// <summary>The CA certificate the Pi must trust when it is a local CA (install.sh generates /etc/mosquitto/ca_certificates/ca.crt).</summary>
    public string? CaCertificate { get; set; } = "/etc/mosquitto/ca_certificates/ca.crt";
}

/// <summary>
/// <c>edgetelemetry-central devices enroll|rotate|list|revoke</c>: one command per step of a device's life on the broker
/// (mosquitto_passwd entry for the user name "&lt;site&gt;/&lt;device&gt;"; the shipped ACL is pattern-based, so no ACL line)
/// and in the registry every central instance re-reads (Ingest:KnownDevicesOnly, the device's signing keys).
/// </summary>
public static class DeviceCommands
{
    public const string Usage =
        "usage: edgetelemetry-central devices enroll --site S --device D [--password P] [--public-key FILE|PEM] [--reload] [--Ingest:DevicesFile=…] [--Devices:…=…]\n" +
        "       edgetelemetry-central devices rotate --site S --device D --public-key FILE|PEM\n" +
        "       edgetelemetry-central devices list [--Ingest:DevicesFile=…]\n" +
        "       edgetelemetry-central devices revoke --site S --device D [--reload]";

    private static readonly string[] ValueFlags = ["--site", "--device", "--password", "--public-key"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0] is not ("enroll" or "rotate" or "list" or "revoke"))
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var reload = false;
        var configArgs = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (ValueFlags.Contains(args[i]) && i + 1 < args.Length) flags[args[i]] = args[++i];
            else if (args[i] == "--reload") reload = true;
            else configArgs.Add(args[i]);
        }
        var configuration = CommandConfiguration.Build([.. configArgs]);
        var ingest = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        var options = configuration.GetSection(DeviceEnrolmentOptions.Section).Get<DeviceEnrolmentOptions>() ?? new DeviceEnrolmentOptions();
        if (string.IsNullOrEmpty(ingest.DevicesFile))
        {
            await stderr.WriteLineAsync("devices: set Ingest:DevicesFile (the registry the central service reads), e.g. in /etc/edgetelemetry/central.env: Ingest__DevicesFile=/etc/edgetelemetry/devices.json");
            return 2;
        }
        try
        {
            var devices = DeviceRegistry.Load(ingest.DevicesFile);
            if (args[0] == "list")
            {
                await stdout.WriteLineAsync($"{devices.Count} enrolled device(s) in {ingest.DevicesFile}");
                foreach (var d in devices.OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    await stdout.WriteLineAsync($"{d.Name}\tenrolled {d.EnrolledAt:yyyy-MM-dd'T'HH:mm:ss'Z'}" + (d.RevokedAt is { } r ? $"\tREVOKED {r:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "")
                        + (d.Keys.Count == 0 ? "\tno signing key" : ""));
                    foreach (var k in d.Keys)
                        await stdout.WriteLineAsync($"  key {k.Fingerprint}\t{k.State}\tadded {k.AddedAt:yyyy-MM-dd'T'HH:mm:ss'Z'}"
                            + (k.RetiredAt is { } ret ? $"\tretired {ret:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "") + (k.RevokedAt is { } rev ? $"\trevoked {rev:yyyy-MM-dd'T'HH:mm:ss'Z'}" : ""));
                }
                return 0;
            }
            if (!flags.TryGetValue("--site", out var site) || !flags.TryGetValue("--device", out var device) || !Topics.IsValidId(site) || !Topics.IsValidId(device))
            {
                await stderr.WriteLineAsync("devices: --site and --device are required, each [a-z0-9][a-z0-9_-]{0,63}\n" + Usage);
                return 2;
            }
            var name = $"{site}/{device}";
            return args[0] switch
            {
                "enroll" => await EnrollAsync(devices, site, device, flags, reload, ingest, options, stdout, stderr, ct),
                "rotate" => await RotateAsync(devices, site, device, flags, ingest, stdout, stderr),
                _ => await RevokeAsync(devices, site, device, reload, ingest, options, stdout, stderr, ct),
            };
        }
        catch (InvalidOperationException ex)
        {
            await stderr.WriteLineAsync($"devices: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> EnrollAsync(List<EnrolledDevice> devices, string site, string device, Dictionary<string, string> flags, bool reload,
        IngestOptions ingest, DeviceEnrolmentOptions o, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var name = $"{site}/{device}";
        if (devices.Any(d => d.Name == name && d.RevokedAt is null))
        {
            await stderr.WriteLineAsync($"devices: {name} is already enrolled (revoke it first to issue a new credential; devices rotate replaces its key)");
            return 1;
        }
        var key = flags.TryGetValue("--public-key", out var given) ? PublicKey(given) : null;
        devices = DeviceKeyChanges.Enrol(devices, site, device, key, DateTimeOffset.UtcNow); // throws before the broker is touched
        // 24 random bytes: what the broker README's `openssl rand -base64 24` gave, without a shell.
        var password = flags.GetValueOrDefault("--password") ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        // -c creates the file; on an existing file it would drop every other credential.
        await RunAsync(o.MosquittoPasswd, File.Exists(o.PasswdFile) ? ["-b", o.PasswdFile, name, password] : ["-c", "-b", o.PasswdFile, name, password], ct);
        DeviceRegistry.Save(ingest.DevicesFile!, devices);

        await stdout.WriteLineAsync($"enrolled {name}: broker credential in {o.PasswdFile} (the ACL's %u patterns cover it), registered in {ingest.DevicesFile}");
        await stdout.WriteLineAsync(key is null
            ? "no signing key: its batches are stored unsigned where the site is permissive (add one with devices rotate --public-key)"
            : $"signing key {key.Fingerprint}: its batches must be signed with it from now on");
        await ReloadOrTellAsync(reload, o, stdout, ct);
        await stdout.WriteLineAsync($"running central instances read {ingest.DevicesFile} again within Ingest:DevicesFileReloadSeconds; no restart needed");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("# lines for /etc/edgetelemetry/agent.yaml on the Pi (keep the file mode 0640, group edgetelemetry):");
        await stdout.WriteLineAsync($"site: {site}");
        await stdout.WriteLineAsync($"device: {device}");
        await stdout.WriteLineAsync("broker:");
        await stdout.WriteLineAsync($"  host: {o.BrokerHost ?? Environment.MachineName}");
        await stdout.WriteLineAsync($"  port: {o.BrokerPort}");
        await stdout.WriteLineAsync($"  useTls: {(o.UseTls ? "true" : "false")}");
        await stdout.WriteLineAsync($"  username: {name}");
        await stdout.WriteLineAsync($"  password: \"{password}\"");
        if (o.UseTls && !string.IsNullOrEmpty(o.CaCertificate))
            await stdout.WriteLineAsync($"# with the generated local CA, the Pi must trust it: copy {o.CaCertificate} to /usr/local/share/ca-certificates/edgetelemetry-ca.crt there and run update-ca-certificates");
        return 0;
    }

    private static async Task<int> RotateAsync(List<EnrolledDevice> devices, string site, string device, Dictionary<string, string> flags,
        IngestOptions ingest, TextWriter stdout, TextWriter stderr)
    {
        if (!flags.TryGetValue("--public-key", out var given))
        {
            await stderr.WriteLineAsync("devices rotate: --public-key FILE|PEM is required (edgetelemetry-agent key show on the Pi prints it)");
            return 2;
        }
        var key = PublicKey(given);
        var before = devices.FirstOrDefault(d => d.Site == site && d.Device == device);
        DeviceRegistry.Save(ingest.DevicesFile!, DeviceKeyChanges.Rotate(devices, site, device, key, DateTimeOffset.UtcNow));
        await stdout.WriteLineAsync($"rotated {site}/{device}: key {key.Fingerprint} is current"
            + (before?.CurrentKey is { } old ? $"; {old.Fingerprint} is retired (what it signed still verifies)" : ""));
        return 0;
    }

    private static async Task<int> RevokeAsync(List<EnrolledDevice> devices, string site, string device, bool reload, IngestOptions ingest, DeviceEnrolmentOptions o,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var name = $"{site}/{device}";
        var known = devices.Any(d => d.Name == name);
        if (File.Exists(o.PasswdFile)) await RunAsync(o.MosquittoPasswd, ["-D", o.PasswdFile, name], ct);
        // Kept, marked revoked: its key history stays for audit, and its batches are refused from now on.
        if (known) DeviceRegistry.Save(ingest.DevicesFile!, DeviceKeyChanges.Revoke(devices, site, device, DateTimeOffset.UtcNow));
        await stdout.WriteLineAsync(known ? $"revoked {name}: credential removed from {o.PasswdFile}; marked revoked in {ingest.DevicesFile} with its keys (its batches are refused)"
                                          : $"{name} was not in {ingest.DevicesFile}; its credential (if any) was removed from {o.PasswdFile}");
        await ReloadOrTellAsync(reload, o, stdout, ct);
        await stdout.WriteLineAsync("a connection the device already has stays open until it reconnects: restart mosquitto to end it now; central instances refuse its batches once they re-read the registry");
        return 0;
    }

    /// <summary>--public-key: a PEM file, or the PEM text itself.</summary>
    private static DeviceKeyRecord PublicKey(string given)
    {
        var pem = given.Contains("-----BEGIN", StringComparison.Ordinal) ? given : File.Exists(given) ? File.ReadAllText(given)
            : throw new InvalidOperationException($"--public-key {given}: no such file, and not a PEM");
        return DeviceKeyChanges.ParseKey(pem, DateTimeOffset.UtcNow, "--public-key");
    }

    private static async Task ReloadOrTellAsync(bool reload, DeviceEnrolmentOptions o, TextWriter stdout, CancellationToken ct)
    {
        if (!reload)
        {
            await stdout.WriteLineAsync($"reload mosquitto so it reads the password file: {o.ReloadCommand} (or run this command with --reload)");
            return;
        }
        await RunAsync("/bin/sh", ["-c", o.ReloadCommand], ct);
        await stdout.WriteLineAsync($"mosquitto reloaded ({o.ReloadCommand})");
    }

    private static async Task RunAsync(string exe, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {exe}: {ex.Message} (Devices:MosquittoPasswd / Devices:ReloadCommand)", ex);
        }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync(ct);
            await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            // The arguments may hold the password: never in a message.
            if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(exe)} {args[0]} exited {p.ExitCode}: {(await err).Trim()}");
        }
    }
}

/// <summary>The central service's configuration stack (appsettings, environment, command line) for its sub-commands.</summary>
public static class CommandConfiguration
{
    public static IConfiguration Build(string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory }).Configuration;
}
