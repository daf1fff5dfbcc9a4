using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Per-device delivery accounting: received, duplicates, missing ranges, device-reported evictions.</summary>
public static class DeliveryApi
{
    public static IEndpointRouteBuilder MapDeliveryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/delivery", (DeliveryTracker tracker) => Results.Ok(tracker.Summary().Select(s => new
        {
            s.Site,
            s.Device,
            s.Stream,
            s.Received,
            s.Duplicates,
            s.HighestSeq,
            s.Missing,
            // Gaps are listed up to 100; Missing counts them all.
            Gaps = s.Gaps.Take(100).Select(g => new { From = g.From, To = g.To }),
            s.Evicted,
            UnexplainedMissing = Math.Max(0, s.Missing - s.Evicted),
            s.LastSeen,
        }))).RequireAuthorization(ApiPolicies.FleetRead);
        return app;
    }
}
