using System.Globalization;
using System.Net;
using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Health;
using EdgeTelemetry.Localization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Agent.LocalPage;

/// <summary>
/// The page for a phone on the site network, served by Kestrel inside the agent's process with
/// minimal APIs. It is a second, small host beside the agent's Generic Host (not a web host for the
/// whole agent), started only when <c>localPage.enabled</c>, so an agent without the page loads no
/// ASP.NET Core at all. Read-only except acknowledge.
/// </summary>
public sealed class LocalPageService(IServiceProvider agent, AgentOptions options, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address the page is served on once started (its port when 0 was configured).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.LocalPage;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        // Its own console logging, warnings only: request logs would drown the agent's.
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(o.Address), o.Port));
        builder.Services.AddLocalization();
        // The acknowledge body is read with the source-generated contract (ahead-of-time build: no reflection).
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.TypeInfoResolverChain.Insert(0, LocalPageJson.Default));
        var health = ActivatorUtilities.CreateInstance<AgentHealthService>(agent);
        builder.Services.AddSingleton(new LocalPageState(options, agent.GetRequiredService<Sampling.LatestReadings>(), agent.GetRequiredService<Annunciator>(),
            agent.GetRequiredService<Publishing.PublisherStats>(), agent.GetRequiredService<Clock.ClockMonitor>(), health.ReadAsync, TimeProvider.System));
        builder.Services.AddSingleton(agent.GetRequiredService<Annunciator>());
        builder.Services.AddSingleton(new AcknowledgePinGuard(o.AcknowledgePin, TimeProvider.System));

        var app = builder.Build();
        app.UseRequestLocalization(l =>
        {
            l.SetDefaultCulture(o.Language).AddSupportedCultures(SiteCulture.Languages).AddSupportedUICultures(SiteCulture.Languages);
            l.FallBackToParentCultures = l.FallBackToParentUICultures = true;
            // ?lang= first, then the browser's languages; the site's default when neither is es or en.
            l.RequestCultureProviders = [new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" }, new AcceptLanguageHeaderRequestCultureProvider()];
        });
        app.Use(async (context, next) =>
        {
            // Nothing from elsewhere, and no framing: a phone on the site Wi-Fi has no internet anyway.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context);
        });
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "LocalPage", "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        LocalPageApi.Map(app);
        await app.StartAsync(cancellationToken);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        loggers.CreateLogger<LocalPageService>().LogInformation("Local page on {Address}", Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

/// <summary>The page's endpoints: its state, its texts, and acknowledge.</summary>
public static class LocalPageApi
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/state", async (LocalPageState state, IStringLocalizer<DomainText> names, CancellationToken ct) =>
            Results.Json(await state.SnapshotAsync(names, ct), LocalPageJson.Default.PageSnapshot));

        app.MapGet("/api/text", (IStringLocalizer<PageText> text, AcknowledgePinGuard pin) =>
        {
            var lang = SiteCulture.LanguageOf(CultureInfo.CurrentUICulture);
            var numbers = SiteCulture.For(lang).NumberFormat;
            return Results.Json(new PageTexts(
                lang,
                // The browser formats dates for the locale and numbers with these separators (es-PE: decimal comma).
                lang == "es" ? "es-PE" : "en-GB",
                numbers.NumberDecimalSeparator,
                numbers.NumberGroupSeparator,
                pin.Required,
                text.GetAllStrings(includeParentCultures: true).ToDictionary(s => s.Name, s => s.Value)), LocalPageJson.Default.PageTexts);
        });

        app.MapPost("/api/acknowledge", (AcknowledgeRequest? request, Annunciator annunciator, AcknowledgePinGuard pin, IStringLocalizer<PageText> text) =>
            pin.Check(request?.Pin) switch
            {
                AcknowledgePinGuard.Outcome.LockedOut => Results.Json(new PageError(text["tooManyAttempts"].Value), LocalPageJson.Default.PageError, statusCode: StatusCodes.Status429TooManyRequests),
                AcknowledgePinGuard.Outcome.Wrong => Results.Json(new PageError(text["wrongPin"].Value), LocalPageJson.Default.PageError, statusCode: StatusCodes.Status403Forbidden),
                _ => Results.Json(new PageAcknowledged([.. annunciator.Acknowledge(AcknowledgeSource.Page).Select(a => a.Id)]), LocalPageJson.Default.PageAcknowledged),
            });
    }

    /// <summary>The acknowledge body; JSON only, so a form on another site cannot post it (no CORS preflight would pass).</summary>
    public sealed record AcknowledgeRequest(string? Pin);
}
