using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Extensions;
using EdgeTelemetry.Central.Localization;

namespace EdgeTelemetry.Central;

/// <summary>Builds the central web application (also used in-process by the functional tests).</summary>
public static class CentralApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root = the app's folder, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddCentralServices();
        builder.AddCentralLocalization();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseCentralLocalization();
        app.MapHealthApi();
        app.MapUserApis();
        app.MapDeliveryApi();
        app.MapPageText();
        app.MapBuiltInPage(); // wwwroot (the built-in page) and the read endpoints its charts use
        return app;
    }
}
