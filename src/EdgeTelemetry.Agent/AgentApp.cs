using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Alarms.Outputs;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Agent.Health;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent;

/// <summary>Wires the agent's host: sample → buffer → publish.</summary>
public static class AgentApp
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        if (args.Length > 0 && args[0] == "validate-config") return ValidateConfig(args[1..]);
        if (args.Length == 2 && args[0] == "config-schema") return WriteConfigSchema(args[1]);
        if (args.Length > 0 && args[0] is "keygen" or "key") return Signing.KeyCommands.Run(args, Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "export") return await Transfer.BundleExport.RunAsync(args[1..], Console.Out, Console.Error, ct);
        IHost host;
        try
        {
            host = await BuildAsync(args, ct);
        }
        catch (ConfigurationException ex)
        {
            Console.Error.WriteLine($"edgetelemetry-agent: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is FormatException or FileNotFoundException or ArgumentException)
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

    /// <summary>Regenerates the sensors part of the shipped schema from the driver modules (a development command).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded: runs only where code can be generated at run time (not ahead-of-time builds).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported.")]
    private static int WriteConfigSchema(string path)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            Console.Error.WriteLine("edgetelemetry-agent: config-schema reflects over the options types; run it from source: dotnet run --project src/EdgeTelemetry.Agent -- config-schema <file>");
            return 2;
        }
        Sensors.SensorSchema.WriteInto(path, Sensors.SensorModules.All);
        return 0;
    }

    /// <summary><c>validate-config file.yaml</c>: every problem with file, line and field; exit 1 if any.</summary>
    private static int ValidateConfig(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: edgetelemetry-agent validate-config <file.yaml>");
            return 2;
        }
        try
        {
            if (!File.Exists(args[0])) throw new FileNotFoundException($"config file '{args[0]}' not found");
            var options = AgentConfigLoader.Load(AgentConfigLoader.Build(args[0], []), args[0]);
            Console.WriteLine($"{args[0]}: ok ({options.Sensors.Count} sensors, {options.Equipment.Count} equipment, hardware {options.Hardware})");
            return 0;
        }
        catch (ConfigurationException ex)
        {
            foreach (var p in ex.Problems) Console.WriteLine(p);
            return 1;
        }
        catch (Exception ex) when (ex is FormatException or FileNotFoundException)
        {
            Console.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>Builds the host; <c>--config file.yaml</c> names the YAML file, overridable by env and command line.</summary>
    public static async Task<IHost> BuildAsync(string[] args, CancellationToken ct = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var configPath = ArgValue(args, "--config");
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new FileNotFoundException($"config file '{configPath}' not found");
            ((IConfigurationBuilder)builder.Configuration).Add(new YamlConfigurationSource(configPath, AgentOptions.Section));
            // Environment and command line still win over the file.
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddCommandLine(args);
        }

        var options = AgentConfigLoader.Load(builder.Configuration, configPath);

        builder.Services.Configure<AgentOptions>(builder.Configuration.GetSection(AgentOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        var buffer = await SampleBuffer.OpenAsync(options.Buffer.Path, options.Buffer.Synchronous, ct,
            options.Buffer.SegmentBytes(), TimeSpan.FromSeconds(options.Buffer.ProgressIntervalSeconds));
        builder.Services.AddSingleton(buffer);
        builder.Services.AddSingleton<BufferSignal>();
        builder.Services.AddSingleton<PublisherStats>();
        builder.Services.AddSingleton(sp => Signing.BatchSigner.Create(options, sp.GetRequiredService<ILogger<Signing.BatchSigner>>()));
        var bufferStats = new BufferStats();
        builder.Services.AddSingleton(bufferStats);
        builder.Services.AddSingleton(ClockMonitor.ForSystem(options.Clock));
        // If the disk cannot take samples for long, memory holds the newest; the oldest are dropped and counted.
        var queue = Channel.CreateBounded<PendingSample>(
            new BoundedChannelOptions(options.Buffer.MemoryQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref bufferStats.DroppedInMemory));
        builder.Services.AddSingleton(queue.Reader);
        builder.Services.AddSingleton(queue.Writer);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Annunciator>();
        builder.Services.AddSingleton<LatestReadings>();
        builder.Services.AddSingleton<AlarmMonitor>();
        // One hardware for sensors and alarm outputs: on emulated hardware both share the emulated GPIO chip.
        builder.Services.AddSingleton(_ => ISensorHardware.For(options));
        builder.Services.AddSingleton(sp => new SensorFactory(options, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ISensorHardware>()));
        for (var i = 0; i < options.Sensors.Count; i++)
        {
            var (sensorOptions, index) = (options.Sensors[i], i);
            builder.Services.AddSingleton<ISensor>(sp => sp.GetRequiredService<SensorFactory>().Create(sensorOptions, index));
        }
        // Services stop in reverse order: sampling stops, the writer commits what is queued, then the
        // publisher drains the buffer before it disconnects.
        builder.Services.AddHostedService<BufferFlushOnStop>(); // registered first: stops last, after the publisher's drain
        builder.Services.AddHostedService<MqttPublisher>();
        builder.Services.AddHostedService<BufferWriterService>();
        // Relays are set up before the first sample can raise an alarm.
        builder.Services.AddSingleton<AlarmOutputService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlarmOutputService>());
        builder.Services.AddHostedService<SamplingService>();
        builder.Services.AddHostedService<BufferMaintenanceService>();
        builder.Services.AddHostedService<ClockWatchService>();
        builder.Services.AddHostedService<AgentHealthService>();
        if (options.LocalPage.Enabled)
        {
            builder.Services.AddSingleton<LocalPage.LocalPageService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalPage.LocalPageService>());
        }
        return builder.Build();
    }

    internal static string? ArgValue(string[] args, string name)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal)) return args[i][(name.Length + 1)..];
        }
        return null;
    }
}
