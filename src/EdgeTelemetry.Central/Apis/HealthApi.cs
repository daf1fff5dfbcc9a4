using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (MqttIngestService ingest) => ingest.IsConnected
            ? Results.Ok(new { status = "ok", broker = "connected" })
            : Results.Json(new { status = "degraded", broker = "disconnected" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (IngestMetrics metrics, DeliveryTracker delivery) =>
            Results.Text(metrics.ToPrometheusText() + DeliveryMetrics(delivery), "text/plain; version=0.0.4"));
        return app;
    }

    /// <summary>Per-device gauges, so an alert can name the device that lost data.</summary>
    private static string DeliveryMetrics(DeliveryTracker delivery)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("# HELP edgetelemetry_delivery_missing_samples Sequence numbers not (yet) received, per device stream\n# TYPE edgetelemetry_delivery_missing_samples gauge\n");
        foreach (var s in delivery.Summary())
            sb.Append($"edgetelemetry_delivery_missing_samples{{site=\"{s.Site}\",device=\"{s.Device}\",stream=\"{s.Stream}\"}} {s.Missing}\n");
        sb.Append("# HELP edgetelemetry_delivery_received_samples Distinct samples received, per device stream\n# TYPE edgetelemetry_delivery_received_samples gauge\n");
        foreach (var s in delivery.Summary())
            sb.Append($"edgetelemetry_delivery_received_samples{{site=\"{s.Site}\",device=\"{s.Device}\",stream=\"{s.Stream}\"}} {s.Received}\n");
        return sb.ToString();
    }
}
