using EdgeTelemetry.Agent.Sensors;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Configuration;

public sealed class ConfigurationException(string message, IReadOnlyList<string> problems) : Exception(message)
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Binds and validates the agent's configuration (YAML file, then environment, then command line)
/// and reports every problem as "file:line: field: message".
/// </summary>
public static class AgentConfigLoader
{
    public static AgentOptions Load(IConfiguration configuration, string? configPath)
    {
        var lines = configPath is null ? null : YamlFlattener.Load(configPath).Lines;
        var section = configuration.GetSection(AgentOptions.Section);
        var (problems, badKeys) = ConfigKeyChecker.Check(section, typeof(AgentOptions), SensorModules.ItemType);
        // Bind what is well-formed, so the semantic checks below still report everything else.
        var clean = new ConfigurationBuilder().AddInMemoryCollection(
            section.AsEnumerable().Where(kv => kv.Value is not null && !badKeys.Any(b => kv.Key.Equals(b, StringComparison.OrdinalIgnoreCase) || kv.Key.StartsWith(b + ":", StringComparison.OrdinalIgnoreCase)))).Build();
        var options = clean.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        // Each sensors[] entry binds to its driver's options type, which the binder cannot choose.
        options.Sensors = SensorModules.Bind(clean.GetSection(AgentOptions.Section).GetSection(nameof(AgentOptions.Sensors)));
        problems.AddRange(AgentOptionsValidator.Validate(options));
        if (problems.Count > 0)
        {
            var formatted = problems.Select(p => p.Format(configPath, lines)).ToList();
            throw new ConfigurationException($"invalid configuration ({formatted.Count} problem{(formatted.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", formatted), formatted);
        }
        return options;
    }

    /// <summary>Builds the configuration stack the agent runs with.</summary>
    public static IConfigurationRoot Build(string configPath, string[] args) =>
        new ConfigurationBuilder()
            .Add(new YamlConfigurationSource(configPath, AgentOptions.Section))
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => !a.StartsWith("--Logging", StringComparison.Ordinal)).ToArray())
            .Build();
}
