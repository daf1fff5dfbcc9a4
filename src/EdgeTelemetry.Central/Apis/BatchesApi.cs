using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTelemetry.Central.Batches;
using EdgeTelemetry.Central.Localization;
using EdgeTelemetry.Central.Security;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Processing batches and assays (admin records them; technicians and researchers read them).</summary>
public static class BatchesApi
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static RouteGroupBuilder MapBatchesApi(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/batches");

        batches.MapPost("/", async (HttpRequest request, BatchRecorder recorder, ReportWords words, CancellationToken ct) =>
        {
            var (body, error) = await ReadAsync<BatchRequest>(request, ct);
            if (body is null) return error!;
            var outcome = await recorder.RecordAsync(body, ct);
            if (outcome.Problem == BatchProblem.AlreadyRecorded)
                return Results.Problem(statusCode: 409, title: "Batch already recorded",
                    detail: $"batch {outcome.Batch!.Id} exists; enter its assays with PUT /api/batches/{outcome.Batch.Id}/assays");
            return outcome.Errors is { } errors
                ? Results.ValidationProblem(errors, title: "The batch was not recorded")
                : Results.Created($"/api/batches/{outcome.Batch!.Id}", BatchView.Of(outcome.Batch, words));
        }).RequireAuthorization(ApiPolicies.BatchesWrite);

        batches.MapPut("/{id}/assays", async (string id, HttpRequest request, BatchRecorder recorder, ReportWords words, CancellationToken ct) =>
        {
            var (body, error) = await ReadAsync<AssaysRequest>(request, ct);
            if (body is null) return error!;
            var outcome = await recorder.RecordAssaysAsync(id, body, ct);
            if (outcome.Problem == BatchProblem.NotFound) return NotFound(id);
            return outcome.Errors is { } errors
                ? Results.ValidationProblem(errors, title: "The assays were not recorded")
                : Results.Ok(BatchView.Of(outcome.Batch!, words));
        }).RequireAuthorization(ApiPolicies.BatchesWrite);

        batches.MapGet("/", async (HttpRequest request, ProcessBatchStore store, ReportWords words, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request, "site", "from", "to", "equipment");
            var site = q.Site();
            var equipment = q.Equipment(required: false);
            var from = q.Time("from");
            var to = q.Time("to");
            q.Period(from, to);
            if (!q.IsValid) return q.Problem();
            var list = await store.ListAsync(site!, equipment, from!.Value, to!.Value, ct);
            return Results.Ok(new { site, from, to, batches = list.Select(b => BatchView.Of(b, words)) });
        }).RequireAuthorization(ApiPolicies.ReportsRead);

        batches.MapGet("/{id}", async (string id, HttpRequest request, ProcessBatchStore store, ReportWords words, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request);
            if (!q.IsValid) return q.Problem();
            return ProcessBatch.TryParseId(id, out var site, out var equipment, out var start)
                   && await store.FindAsync(site, equipment, start, ct) is { } batch
                ? Results.Ok(BatchView.Of(batch, words))
                : NotFound(id);
        }).RequireAuthorization(ApiPolicies.ReportsRead);
        return api;
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: 404, title: "Unknown batch", detail: $"no batch '{(id.Length <= 200 ? id : id[..200])}'; ids look like site.equipment.20261123T080000Z");

    /// <summary>Strict JSON: an unknown member or a number sent as text is an error with its path, not silently dropped.</summary>
    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["send JSON with Content-Type: application/json"] }));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Strict, ct);
            return body is null
                ? (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["a JSON object is required"] }))
                : (body, null);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { [path.Length == 0 ? "body" : path] = [Clean(ex.Message)] },
                title: "The request body is not valid JSON for this endpoint"));
        }
    }

    // System.Text.Json messages end with "Path: … | LineNumber: … | BytePositionInLine: …": keep the sentence, the key already says where.
    private static string Clean(string message) => message.Split(" Path:", 2)[0];
}
