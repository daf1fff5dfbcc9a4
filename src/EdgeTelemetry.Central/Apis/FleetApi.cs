using EdgeTelemetry.Central.Fleet;
using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Fleet status for plant operators and technicians.</summary>
public static class FleetApi
{
    public static RouteGroupBuilder MapFleetApi(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices").RequireAuthorization(ApiPolicies.FleetRead);

        devices.MapGet("/", async (HttpRequest request, FleetStatusReader fleet, TimeProvider clock, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request, "site");
            var site = q.Site(required: false);
            if (!q.IsValid) return q.Problem();
            var list = await fleet.ListAsync(site, null, ct);
            return Results.Ok(new { generatedAt = clock.GetUtcNow(), devices = list });
        });

        devices.MapGet("/{site}/{device}", async (string site, string device, HttpRequest request, FleetStatusReader fleet, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request);
            if (!Topics.IsValidId(site)) q.Error("site", "is not a site id: [a-z0-9][a-z0-9_-]{0,63}");
            if (!Topics.IsValidId(device)) q.Error("device", "is not a device id: [a-z0-9][a-z0-9_-]{0,63}");
            if (!q.IsValid) return q.Problem();
            var list = await fleet.ListAsync(site, device, ct);
            return list.Count == 0
                ? Results.Problem(statusCode: 404, title: "Unknown device", detail: $"nothing has been stored from {site}/{device}")
                : Results.Ok(list[0]);
        });
        return api;
    }
}
