using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Batches;
using EdgeTelemetry.Central.Export;
using EdgeTelemetry.Central.Fleet;
using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Central.Reports.Signing;
using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Central.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central;

/// <summary>
/// The users' HTTP API (fleet status, batches and recovery, mercury evidence, researcher export)
/// behind API keys mapped to roles. In the root namespace so the service registration and
/// CentralApp each reach it with one line.
/// </summary>
public static class UserApis
{
    public static IHostApplicationBuilder AddUserApiServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.Section))
            .PostConfigure(o => ApiKeysFile.Apply(o, builder.Configuration[$"{ApiOptions.Section}:KeysFile"]))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddSingleton<ApiKeyRing>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.FleetRead, p => p.RequireRole(Roles.AtLeast(Roles.Operator)))
            .AddPolicy(ApiPolicies.ReportsRead, p => p.RequireRole(Roles.AtLeast(Roles.Technician)))
            .AddPolicy(ApiPolicies.Export, p => p.RequireRole(Roles.AtLeast(Roles.Researcher)))
            .AddPolicy(ApiPolicies.BatchesWrite, p => p.RequireRole(Roles.AtLeast(Roles.Admin)))
            .AddPolicy(ApiPolicies.DevicesAdmin, p => p.RequireRole(Roles.Admin))
            // Any /api endpoint without a policy of its own still needs a valid key: a new endpoint cannot forget it.
            // (Scoped to /api so the built-in page's static files and /healthz stay public.)
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAssertion(c => c.Resource is not HttpContext http || !http.Request.Path.StartsWithSegments("/api") || c.User.Identity?.IsAuthenticated == true)
                .Build());
        services.AddProblemDetails();

        // No overall timeout on reads: an export streams for as long as it takes. Connecting and
        // waiting for the answer to start are bounded by Influx:RequestTimeoutSeconds instead.
        services.AddHttpClient<InfluxQueryClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<InfluxOptions>>().Value.RequestTimeoutSeconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddTransient<EquipmentDirectory>();
        services.AddTransient<FleetStatusReader>();
        services.AddTransient<ProcessBatchStore>();
        services.AddTransient<ProcessTelemetry>();
        services.AddTransient<BatchRecorder>();
        services.AddTransient<GravityCircuitHours>();
        services.AddTransient<MercuryEvidenceReportBuilder>();
        services.AddTransient<MercuryReportHtml>();
        services.Configure<ReportSigningOptions>(builder.Configuration.GetSection(ReportSigningOptions.Section));
        services.AddSingleton(sp => ReportSigningKey.LoadOrCreate(sp.GetRequiredService<IOptions<ReportSigningOptions>>(), sp.GetRequiredService<ILogger<ReportSigningKey>>()));
        services.AddTransient<Localization.ReportWords>();
        services.AddTransient<ExportColumns>();
        services.AddTransient<ResearcherExport>();
        services.AddTransient<ExportNotes>();
        return builder;
    }

    public static WebApplication MapUserApis(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeyRing>();
        if (keys.Count == 0)
            app.Logger.LogWarning("No API keys configured (Api:Keys): every /api request will be refused with 401");
        foreach (var name in keys.DemoKeyNames)
            app.Logger.LogWarning("API key '{Name}' is a demo key from appsettings.json: replace it before this service leaves a test bench", name);

        // Load or create the report signing key now: an unreadable key file stops the start, not the first report.
        app.Services.GetRequiredService<ReportSigningKey>();

        var api = app.MapGroup("/api").AddEndpointFilter<InfluxAvailabilityFilter>();
        api.MapFleetApi();
        api.MapBatchesApi();
        api.MapReportsApi();
        api.MapExportApi();
        // Not behind the InfluxDB availability filter: the registry is a file.
        app.MapGroup("/api").MapDeviceKeysApi();
        return app;
    }
}
