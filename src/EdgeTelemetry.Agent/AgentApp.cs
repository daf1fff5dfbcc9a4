using System.Threading.Channels;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Agent.Sampling;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent;

/// <summary>Wires the agent's host: sample → buffer → publish.</summary>
public static class AgentApp
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        IHost host;
        try
        {
            host = await BuildAsync(args, ct);
        }
        catch (Exception ex) when (ex is ConfigurationException or FormatException or FileNotFoundException or OptionsValidationException)
        {
            Console.Error.WriteLine($"edgetelemetry-agent: {ex.Message}");
            return 2;
        }
        await using (host as IAsyncDisposable)
        {
            await host.RunAsync(ct);
        }
        return 0;
    }

    /// <summary>Builds the host; <c>--config file.yaml</c> names the YAML file, overridable by env and command line.</summary>
    public static async Task<IHost> BuildAsync(string[] args, CancellationToken ct = default)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var configPath = ArgValue(args, "--config");
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new FileNotFoundException($"config file '{configPath}' not found");
            ((IConfigurationBuilder)builder.Configuration).Add(new YamlConfigurationSource(configPath, AgentOptions.Section));
            // Environment and command line still win over the file.
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(args);
        }

        var options = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        var problems = AgentOptionsValidator.Validate(options);
        if (problems.Count > 0)
            throw new ConfigurationException($"invalid configuration{(configPath is null ? "" : $" in {configPath}")}:\n  " + string.Join("\n  ", problems));

        builder.Services.Configure<AgentOptions>(builder.Configuration.GetSection(AgentOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        var buffer = await SampleBuffer.OpenAsync(options.Buffer.Path, options.Buffer.Synchronous, ct);
        builder.Services.AddSingleton(buffer);
        builder.Services.AddSingleton<BufferSignal>();
        builder.Services.AddSingleton<PublisherStats>();
        var queue = Channel.CreateBounded<PendingSample>(new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait });
        builder.Services.AddSingleton(queue.Reader);
        builder.Services.AddSingleton(queue.Writer);
        for (var i = 0; i < options.Sensors.Count; i++)
        {
            var sensor = SensorFactory.Create(options.Sensors[i], i);
            builder.Services.AddSingleton(sensor);
        }
        // Services stop in reverse order: sampling stops, the writer commits what is queued, then the
        // publisher drains the buffer before it disconnects.
        builder.Services.AddHostedService<MqttPublisher>();
        builder.Services.AddHostedService<BufferWriterService>();
        builder.Services.AddHostedService<SamplingService>();
        builder.Services.AddHostedService<BufferMaintenanceService>();
        return builder.Build();
    }

    private static string? ArgValue(string[] args, string name)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal)) return args[i][(name.Length + 1)..];
        }
        return null;
    }
}

public sealed class ConfigurationException(string message) : Exception(message);
