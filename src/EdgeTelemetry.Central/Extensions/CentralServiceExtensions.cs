using System.Threading.Channels;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Storage;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Extensions;

public static class CentralServiceExtensions
{
    public static IHostApplicationBuilder AddCentralServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<IngestOptions>(builder.Configuration.GetSection(IngestOptions.Section));
        // Ingest:DevicesFile (written by `devices enroll`) adds the enrolled devices to Ingest:KnownDevices.
        services.PostConfigure<IngestOptions>(o => DeviceRegistry.Apply(o, o.DevicesFile));
        services.Configure<InfluxOptions>(builder.Configuration.GetSection(InfluxOptions.Section));
        services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        services.AddSingleton<RetentionLayout>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IngestMetrics>();
        // The run names this process's delivery records, so every instance can merge them (DeliverySync).
        services.AddSingleton(sp => new DeliveryTracker(run: $"{sp.GetRequiredService<IOptions<IngestOptions>>().Value.ClientId}:{Guid.NewGuid():N}"[..^24]));
        services.AddSingleton<DeliverySync>();
        services.AddSingleton<IngestHealth>();
        services.AddSingleton<ReceiptPublisher>();
        services.AddSingleton(sp => new InFlightBudget(sp.GetRequiredService<IOptions<IngestOptions>>().Value.MaxInFlightBytes));
        services.AddSingleton<StoredSamples>();
        services.AddSingleton(sp => new ReplayGuard(sp.GetRequiredService<StoredSamples>(), sp.GetRequiredService<DeliveryTracker>(),
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.AdditionalMeasurements));
        // The registry as it is now: re-read when the file changes, so every instance sees enrolments without a restart.
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            return new DeviceKeyring(o.DevicesFile, TimeSpan.FromSeconds(Math.Max(0, o.DevicesFileReloadSeconds)), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<DeviceKeyring>());
        });
        services.AddSingleton(sp => new MessageIngest(sp.GetRequiredService<IngestMetrics>(), sp.GetRequiredService<DeliveryTracker>(),
            sp.GetRequiredService<IOptions<IngestOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger<MessageIngest>(),
            sp.GetRequiredService<ReplayGuard>(), sp.GetRequiredService<DeviceKeyring>()));

        // Bounded twice: in bytes by InFlightBudget, in messages here (the broker's receive maximum bounds it too).
        var capacity = Math.Clamp(builder.Configuration.GetValue($"{IngestOptions.Section}:{nameof(IngestOptions.ReceiveMaximum)}", 1000), 1, ushort.MaxValue);
        var inbox = Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        services.AddSingleton(inbox.Reader);
        services.AddSingleton(inbox.Writer);

        services.AddHttpClient<InfluxWriter>((sp, http) =>
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<InfluxOptions>>().Value.RequestTimeoutSeconds));
        services.AddHostedService<IngestPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliverySync>());
        services.AddSingleton<MqttIngestService>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestService>());
        builder.AddUserApiServices();
        return builder;
    }
}
