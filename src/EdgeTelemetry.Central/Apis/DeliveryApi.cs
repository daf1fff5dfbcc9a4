using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Central.Ingest;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Per-device delivery accounting: delivered, in flight (held by the device), evicted on the device, missing; duplicates and gap ranges.</summary>
public static class DeliveryApi
{
    public static IEndpointRouteBuilder MapDeliveryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/delivery", async (DeliveryTracker tracker, DeliverySync sync, CancellationToken ct) =>
        {
            // One answer whichever instance is asked: first what the others recorded.
            await sync.TryCatchUpAsync(ct);
            return Results.Ok(tracker.Summary().Select(s => new
            {
                s.Site,
                s.Device,
                s.Stream,
                // Stored (distinct), still held by the device without a receipt, evicted there, and lost unexplained.
                Delivered = s.Received,
                s.InFlight,
                s.Received,
                s.Duplicates,
                s.HighestSeq,
                s.Missing,
                // Gaps are listed up to 100; Missing counts them all.
                Gaps = s.Gaps.Take(100).Select(g => new { From = g.From, To = g.To }),
                s.Evicted,
                s.UnexplainedMissing,
                s.LastSeen,
            }));
        }).RequireAuthorization(ApiPolicies.FleetRead);
        return app;
    }
}
