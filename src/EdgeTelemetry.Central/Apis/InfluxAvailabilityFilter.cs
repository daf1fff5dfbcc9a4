using EdgeTelemetry.Central.Storage;

namespace EdgeTelemetry.Central.Apis;

/// <summary>InfluxDB down → 503 with Retry-After (the caller can simply try again); a refused query → 502.</summary>
public sealed class InfluxAvailabilityFilter(ILogger<InfluxAvailabilityFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is InfluxUnavailableException or TransientWriteException && !context.HttpContext.Response.HasStarted)
        {
            logger.LogWarning("{Path}: InfluxDB unavailable: {Error}", context.HttpContext.Request.Path, ex.Message);
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, title: "InfluxDB unavailable", detail: "The time-series database did not answer; try again shortly.");
        }
        catch (InfluxQueryException ex) when (!context.HttpContext.Response.HasStarted)
        {
            logger.LogError("{Path}: InfluxDB refused a query: {Error}", context.HttpContext.Request.Path, ex.Message);
            return Results.Problem(statusCode: 502, title: "InfluxDB refused the query", detail: ex.Message);
        }
    }
}
