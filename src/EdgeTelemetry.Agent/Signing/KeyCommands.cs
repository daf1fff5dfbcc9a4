using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Signing;

/// <summary>
/// <c>edgetelemetry-agent keygen [--force]</c> and <c>edgetelemetry-agent key show</c>: the device key's life on the Pi
/// (and <c>key bench</c>, <see cref="KeyBench"/>: what signing costs there).
/// The key file comes from the same configuration the agent runs with (<c>--config</c>, environment, <c>--Agent:…</c>).
/// </summary>
public static class KeyCommands
{
    public const string Usage =
        "usage: edgetelemetry-agent keygen [--force] --config agent.yaml [--Agent:Signing:KeyFile=…]\n" +
        "       edgetelemetry-agent key show --config agent.yaml\n" +
        "       edgetelemetry-agent key bench [--batches N]   (signing cost per batch, with a throwaway key)";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["key", "bench", ..]) return KeyBench.Run(args[2..], stdout, stderr);
        var keygen = args.Length > 0 && args[0] == "keygen";
        var show = args.Length > 1 && args[0] == "key" && args[1] == "show";
        if (!keygen && !show)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        var rest = args[(keygen ? 1 : 2)..];
        var force = rest.Contains("--force");
        string path;
        try
        {
            path = KeyPath(rest.Where(a => a != "--force").ToArray());
        }
        catch (Exception ex) when (ex is ConfigurationException or FormatException or FileNotFoundException or ArgumentException)
        {
            stderr.WriteLine($"edgetelemetry-agent: {ex.Message}");
            return 2;
        }
        try
        {
            if (show)
            {
                if (!File.Exists(path))
                {
                    stderr.WriteLine($"edgetelemetry-agent: no device key at {path}: run `edgetelemetry-agent keygen` (the agent also creates it on first start)");
                    return 1;
                }
                using var key = DeviceKey.Load(path);
                Print(key, path, stdout);
                return 0;
            }
            if (File.Exists(path) && !force)
            {
                stderr.WriteLine($"edgetelemetry-agent: a device key exists at {path}; replacing it means rotating it on the central service (devices rotate): use --force");
                return 1;
            }
            using var created = DeviceKey.TryCreate(path, replace: force);
            if (created is null)
            {
                stderr.WriteLine($"edgetelemetry-agent: a device key appeared at {path} meanwhile; not replaced");
                return 1;
            }
            stdout.WriteLine($"created device key in {path} (mode 0600)");
            Print(created, path, stdout);
            stdout.WriteLine(force ? "enrol the new key on the central service: edgetelemetry-central devices rotate --site S --device D --public-key <this PEM>"
                                   : "enrol it on the central service: edgetelemetry-central devices enroll --site S --device D --public-key <this PEM>");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"edgetelemetry-agent: {ex.Message}");
            return 1;
        }
    }

    private static void Print(DeviceKey key, string path, TextWriter stdout)
    {
        stdout.WriteLine($"key file: {path}");
        stdout.WriteLine($"fingerprint: {key.Fingerprint}");
        stdout.WriteLine($"key id: {key.KeyId}");
        stdout.Write(key.PublicKeyPem);
    }

    /// <summary>The agent's configuration stack (YAML, environment, command line), down to the key file it names.</summary>
    private static string KeyPath(string[] args)
    {
        var configPath = AgentApp.ArgValue(args, "--config");
        var overrides = args.Where(a => a != "--config" && a != configPath && !a.StartsWith("--config=", StringComparison.Ordinal)).ToArray();
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new FileNotFoundException($"config file '{configPath}' not found");
            var options = AgentConfigLoader.Load(AgentConfigLoader.Build(configPath, overrides), configPath);
            return options.Signing.KeyPath(options.Buffer);
        }
        // No file: the defaults, as environment and command line change them.
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(overrides).Build();
        var buffer = new BufferOptions();
        configuration.GetSection($"{AgentOptions.Section}:Buffer").Bind(buffer);
        var signing = new SigningOptions();
        configuration.GetSection($"{AgentOptions.Section}:Signing").Bind(signing);
        return signing.KeyPath(buffer);
    }
}
