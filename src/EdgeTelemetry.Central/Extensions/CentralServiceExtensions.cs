using System.Threading.Channels;
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
        services.Configure<InfluxOptions>(builder.Configuration.GetSection(InfluxOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<DeliveryTracker>();

        // The broker's receive maximum bounds how many unacknowledged messages can wait here.
        var inbox = Channel.CreateUnbounded<InboundMessage>(new UnboundedChannelOptions { SingleReader = true });
        services.AddSingleton(inbox.Reader);
        services.AddSingleton(inbox.Writer);

        services.AddHttpClient<InfluxWriter>((sp, http) =>
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<InfluxOptions>>().Value.RequestTimeoutSeconds));
        services.AddHostedService<IngestPipeline>();
        services.AddSingleton<MqttIngestService>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestService>());
        builder.AddUserApiServices();
        return builder;
    }
}
