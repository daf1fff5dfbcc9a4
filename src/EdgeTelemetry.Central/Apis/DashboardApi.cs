using System.Security.Claims;
using System.Text.RegularExpressions;
using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Apis;

/// <summary>
/// The built-in page (wwwroot: fleet, live charts, mercury against reference values, recent
/// batches) and the small read-only endpoints it needs beside the user API: <c>GET /api/me</c>
/// (the key's name, role and which API policies it passes),
/// <c>GET /api/stations?site=&amp;within=1h</c> (who sent telemetry lately, with which fields),
/// <c>GET /api/series?site=&amp;device=&amp;measurement=&amp;fields=a,b&amp;from=&amp;to=&amp;every=&amp;aggregate=</c>
/// (channels bucketed in time, gaps as null) and <c>GET /api/mercury/reference-values?site=</c>. Operator role and above.
/// </summary>
public static partial class DashboardApi
{
    /// <summary>Measurements the service and the agents write beside telemetry (docs/data-model.md).</summary>
    private static readonly IReadOnlySet<string> NotTelemetry = Measurements.NotTelemetry;

    private const int MaxBuckets = 2000;
    private const int MaxFields = 8;

    public static WebApplication MapBuiltInPage(this WebApplication app)
    {
        ServeStaticFiles(app);
        var api = app.MapGroup("/api").RequireAuthorization(ApiPolicies.FleetRead).AddEndpointFilter<InfluxAvailabilityFilter>();
        api.MapGet("/me", MeAsync);
        api.MapGet("/stations", StationsAsync);
        api.MapGet("/series", SeriesAsync);
        api.MapGet("/mercury/reference-values", (HttpRequest request, IOptions<ApiOptions> options, Localization.ReportWords words) =>
        {
            var p = QueryParameters.For(request, "site");
            // The same values and names as the mercury evidence report (technician), here for the operators' live chart.
            return p.Site() is { } site && p.IsValid ? Results.Ok(ReferenceValues.For(options.Value.ActionLevelFor(site)).Select(words.Translate)) : p.Problem();
        });
        return app;
    }

    /// <summary>
    /// Serves wwwroot. A published app has wwwroot beside it; a build output (dotnet run, the demo,
    /// tests) has only the static web assets manifest pointing at the project's wwwroot, which the
    /// host loads by itself in Development only.
    /// </summary>
    private static void ServeStaticFiles(WebApplication app)
    {
        var env = app.Environment;
        if (!env.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            var manifest = Path.Combine(AppContext.BaseDirectory, typeof(DashboardApi).Assembly.GetName().Name + ".staticwebassets.runtime.json");
            if (File.Exists(manifest))
            {
                StaticWebAssetsLoader.UseStaticWebAssets(env, new ConfigurationBuilder()
                    .AddInMemoryCollection([new(WebHostDefaults.StaticWebAssetsKey, manifest)]).Build());
            }
        }
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = ctx =>
            {
                var headers = ctx.Context.Response.Headers;
                headers.CacheControl = "no-cache"; // revalidate (ETag): an update reaches kiosks on the next load
                headers.XContentTypeOptions = "nosniff";
                // The page holds an API key: no third-party code, no framing, no key in a Referer.
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
    }

    public sealed record Caller(string? Name, string? Role, IReadOnlyDictionary<string, bool> Policies);

    /// <summary>Who the key belongs to and which policies it passes, so the page asks only for what the key may read.</summary>
    private static async Task<IResult> MeAsync(ClaimsPrincipal user, IAuthorizationService authorization, IAuthorizationPolicyProvider policies)
    {
        var passes = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in new[] { ApiPolicies.FleetRead, ApiPolicies.ReportsRead, ApiPolicies.Export, ApiPolicies.BatchesWrite })
        {
            passes[name] = await policies.GetPolicyAsync(name) is { } policy && (await authorization.AuthorizeAsync(user, policy)).Succeeded;
        }
        return Results.Ok(new Caller(user.Identity?.Name, user.FindFirstValue(ClaimTypes.Role), passes));
    }

    public sealed record StationChannel(string Field, string? Unit, string? Description);
    public sealed record Station(string Site, string Device, string Equipment, string Measurement, long Readings, IReadOnlyList<StationChannel> Channels);

    /// <summary>Every (device, equipment, measurement) of the site with telemetry in the last <c>within</c> (1h by default).</summary>
    private static async Task<IResult> StationsAsync(HttpRequest request, InfluxQueryClient influx, RetentionLayout layout, TimeProvider clock, CancellationToken ct)
    {
        var p = QueryParameters.For(request, "site", "within");
        var site = p.Site();
        var within = p.Duration("within", TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), TimeSpan.FromDays(31));
        if (!p.IsValid || site is null || within is null) return p.Problem();

        var counts = await influx.QuerySeriesAsync(
            $"SELECT count(\"seq\") FROM {layout.AllRawSources} WHERE {InfluxQl.TagEquals("site", site)} AND time >= {InfluxQl.Time(clock.GetUtcNow() - within.Value)} " +
            "GROUP BY \"device\", \"equipment\"", ct);
        var found = counts
            .Where(s => !NotTelemetry.Contains(s.Name) && !string.IsNullOrEmpty(s.Tag("device")) && s.Rows.Count > 0)
            .Select(s => (Device: s.Tag("device")!, Equipment: s.Tag("equipment") ?? "", Measurement: s.Name, Readings: InfluxValue.Long(s.Rows[0][1]) ?? 0))
            .Where(f => f.Readings > 0)
            .ToList();
        var fields = new Dictionary<string, List<StationChannel>>();
        foreach (var measurement in found.Select(f => f.Measurement).Distinct())
        {
            var keys = await influx.QuerySeriesAsync($"SHOW FIELD KEYS FROM {layout.RawSource(measurement)}", ct);
            fields[measurement] = keys.SelectMany(k => k.Rows)
                .Where(r => InfluxValue.String(r[1]) is "float" or "integer")
                .Select(r => InfluxValue.String(r[0])!)
                .Where(f => f != "seq" && f != EdgeTelemetry.Model.PointFlags.Signed && !f.StartsWith("clock_", StringComparison.Ordinal))
                .Select(f => Channels.Find(measurement, f) is { } c ? new StationChannel(f, c.Unit, c.Description) : new StationChannel(f, null, null))
                .ToList();
        }
        return Results.Ok(found
            .OrderBy(f => f.Device, StringComparer.Ordinal).ThenBy(f => f.Measurement, StringComparer.Ordinal)
            .Select(f => new Station(site, f.Device, f.Equipment, f.Measurement, f.Readings, fields[f.Measurement])));
    }

    public sealed record SeriesField(string Name, string? Unit, IReadOnlyList<double?> Values);
    public sealed record SeriesResult(string Site, string Device, string Measurement, DateTimeOffset From, DateTimeOffset To,
        int EverySeconds, string Aggregate, IReadOnlyList<long> Time, IReadOnlyList<SeriesField> Fields);

    /// <summary>
    /// <c>fields</c> (comma-separated) of one device's measurement from <c>from</c> to <c>to</c>
    /// (default: the last hour), aggregated into buckets of <c>every</c> (default: 120 buckets).
    /// <c>time</c> holds each bucket's start in Unix seconds; a bucket without readings is null,
    /// so gaps stay visible.
    /// </summary>
    private static async Task<IResult> SeriesAsync(HttpRequest request, InfluxQueryClient influx, RetentionLayout layout, TimeProvider clock, CancellationToken ct)
    {
        var p = QueryParameters.For(request, "site", "device", "measurement", "fields", "from", "to", "every", "aggregate");
        var site = p.Site();
        var device = p.Device();
        var measurement = request.Query["measurement"].ToString();
        if (!NamePattern().IsMatch(measurement)) p.Error("measurement", "is required: a measurement name, [a-z][a-z0-9_]{0,63}");
        var fieldNames = request.Query["fields"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (fieldNames.Count is 0 or > MaxFields || !fieldNames.All(NamePattern().IsMatch))
            p.Error("fields", $"is required: 1 to {MaxFields} comma-separated field names, each [a-z][a-z0-9_]{{0,63}}");
        var end = p.Time("to", required: false) ?? clock.GetUtcNow();
        var start = p.Time("from", required: false) ?? end - TimeSpan.FromHours(1);
        var agg = p.OneOf("aggregate", "mean", "mean", "max", "min", "last");
        var every = p.Duration("every", DefaultStep(end - start), TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        if (p.Period(start, end, TimeSpan.FromDays(31)) && every is { } e && (end - start) / e > MaxBuckets)
            p.Error("every", $"gives more than {MaxBuckets} buckets for this period");
        if (!p.IsValid || site is null || device is null || agg is null || every is null) return p.Problem();

        // Whole minutes or hours come from the rollups (a month of 1 Hz data at every=1h is 720 points), the newest from raw points.
        var rows = new List<object?[]>();
        foreach (var part in layout.Plan(measurement, start, end, every.Value, clock.GetUtcNow(), agg))
        {
            var select = string.Join(", ", fieldNames.Select(f => $"{RetentionLayout.Aggregate(agg, f, part)} AS {InfluxQl.Ident(f)}"));
            var series = await influx.QuerySeriesAsync(
                $"SELECT {select} FROM {layout.Source(measurement, part)} WHERE {InfluxQl.TagEquals("site", site)} AND {InfluxQl.TagEquals("device", device)} " +
                $"AND {InfluxQl.Period(part.From, part.To)} GROUP BY time({InfluxQl.Duration(every.Value)}) fill(null)", ct);
            rows.AddRange(series.FirstOrDefault()?.Rows ?? []);
        }
        var time = rows.Select(r => (InfluxValue.Long(r[0]) ?? 0) / 1_000_000_000).ToList();
        var fields = fieldNames.Select((f, i) => new SeriesField(f, Channels.Find(measurement, f)?.Unit,
            rows.Select(r => InfluxValue.Double(r[i + 1])).ToList())).ToList();
        return Results.Ok(new SeriesResult(site, device, measurement, start, end, (int)every.Value.TotalSeconds, agg, time, fields));
    }

    /// <summary>About 120 buckets per period, in whole seconds: 30 s for an hour.</summary>
    private static TimeSpan DefaultStep(TimeSpan period) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(period.TotalSeconds / 120)));

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z")]
    private static partial Regex NamePattern();
}
