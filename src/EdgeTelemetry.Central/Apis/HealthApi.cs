using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (MqttIngestService ingest) => ingest.IsConnected
            ? Results.Ok(new { status = "ok", broker = "connected" })
            : Results.Json(new { status = "degraded", broker = "disconnected" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (IngestMetrics metrics) => Results.Text(metrics.ToPrometheusText(), "text/plain; version=0.0.4"));
        return app;
    }
}
