using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (MqttIngestService ingest, IngestHealth health, InFlightBudget budget, TimeProvider clock, Microsoft.Extensions.Options.IOptions<IngestOptions> options) =>
        {
            var stuck = health.IsStuck(TimeSpan.FromSeconds(options.Value.StuckAfterSeconds));
            var now = clock.GetUtcNow();
            var body = new
            {
                status = stuck ? "stuck" : ingest.IsConnected ? "ok" : "degraded",
                broker = ingest.IsConnected ? "connected" : "disconnected",
                pipeline = health.PipelineError is { } e ? $"failed: {e}" : health.PipelineRunning ? "running" : "stopped",
                restore = health.Restore.ToString().ToLowerInvariant(),
                lastWriteAgeSeconds = health.LastWriteAt is { } w ? Math.Round((now - w).TotalSeconds, 1) : (double?)null,
                oldestWaitingAgeSeconds = health.WaitingSince is { } s ? Math.Round((now - s).TotalSeconds, 1) : (double?)null,
                messagesWaiting = budget.Messages,
                bytesWaiting = budget.Bytes,
            };
            return stuck || !ingest.IsConnected
                ? Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Ok(body);
        }).AllowAnonymous();
        app.MapGet("/metrics", (IngestMetrics metrics, DeliveryTracker delivery) =>
            Results.Text(metrics.ToPrometheusText() + DeliveryMetrics(delivery), "text/plain; version=0.0.4")).AllowAnonymous();
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
