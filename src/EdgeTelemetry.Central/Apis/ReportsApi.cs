using EdgeTelemetry.Security;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Central.Reports.Signing;
using EdgeTelemetry.Central.Security;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace EdgeTelemetry.Central.Apis;

/// <summary>
/// Mercury-elimination evidence for technicians, auditors and buyers. Every format is rendered to bytes once, and those
/// exact bytes are served and signed (EdgeTelemetry-Signature headers), so a saved copy can be checked offline.
/// </summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/reports/mercury", async (HttpRequest request, MercuryEvidenceReportBuilder builder, MercuryReportHtml html, ReportSigningKey key,
            IOptions<HttpJsonOptions> json, IOptions<ApiOptions> options, CancellationToken ct) =>
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
            var (bytes, contentType, fileName) = format switch
            {
                "csv" => (Encoding.UTF8.GetBytes(MercuryReportCsv.Render(report)), "text/csv; charset=utf-8", name + ".csv"),
                "html" => (Encoding.UTF8.GetBytes(html.Render(report, key.Fingerprint)), "text/html; charset=utf-8", null),
                _ => (JsonSerializer.SerializeToUtf8Bytes(report, json.Value.SerializerOptions), "application/json; charset=utf-8", null),
            };
            AddSignatureHeaders(request.HttpContext.Response, key.Sign(bytes));
            return Results.Bytes(bytes, contentType, fileName);
        }).RequireAuthorization(ApiPolicies.ReportsRead);

        // The public key reports are checked with; format=pem is the file verify-report --key and openssl take.
        api.MapGet("/reports/key", (HttpRequest request, ReportSigningKey key) =>
        {
            var q = QueryParameters.For(request, "format");
            var format = q.OneOf("format", "json", "json", "pem");
            if (!q.IsValid) return q.Problem();
            if (format == "pem")
            {
                request.HttpContext.Response.Headers[ReportSignature.FingerprintHeader] = key.Fingerprint;
                return Results.Bytes(Encoding.ASCII.GetBytes(key.PublicKeyPem), "application/x-pem-file", $"edgetelemetry-report-key_{key.Fingerprint[..16]}.pem");
            }
            return Results.Ok(new { algorithm = ReportSignature.Algorithm, fingerprint = key.Fingerprint, publicKeyPem = key.PublicKeyPem });
        }).RequireAuthorization(ApiPolicies.ReportsRead);
        return api;
    }

    private static void AddSignatureHeaders(HttpResponse response, ReportSignature signature)
    {
        response.Headers[ReportSignature.AlgorithmHeader] = ReportSignature.Algorithm;
        response.Headers[ReportSignature.FingerprintHeader] = signature.KeyFingerprint;
        response.Headers[ReportSignature.SignatureHeader] = signature.SignatureBase64;
    }
}
