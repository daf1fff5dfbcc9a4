using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Central.Security;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Mercury-elimination evidence for technicians, auditors and buyers.</summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/reports/mercury", async (HttpRequest request, MercuryEvidenceReportBuilder builder, MercuryReportHtml html, IOptions<ApiOptions> options, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request, "site", "from", "to", "format");
            var site = q.Site();
            var from = q.Time("from");
            var to = q.Time("to");
            var format = q.OneOf("format", "json", "json", "csv", "html");
            q.Period(from, to, TimeSpan.FromDays(options.Value.MaxReportDays));
            if (!q.IsValid) return q.Problem();

            var report = await builder.BuildAsync(site!, from!.Value, to!.Value, ct);
            var name = $"mercury-evidence_{site}_{from.Value.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}_{to.Value.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
            return format switch
            {
                "csv" => Results.File(System.Text.Encoding.UTF8.GetBytes(MercuryReportCsv.Render(report)), "text/csv; charset=utf-8", name + ".csv"),
                "html" => Results.Content(html.Render(report), "text/html; charset=utf-8"),
                _ => Results.Ok(report),
            };
        }).RequireAuthorization(ApiPolicies.ReportsRead);
        return api;
    }
}
