using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Extensions;

namespace EdgeTelemetry.Central;

/// <summary>Builds the central web application (also used in-process by the functional tests).</summary>
public static class CentralApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddCentralServices();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapHealthApi();
        return app;
    }
}
