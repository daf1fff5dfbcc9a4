using EdgeTelemetry.Central.Batches;
using EdgeTelemetry.Central.Export;
using EdgeTelemetry.Central.Fleet;
using EdgeTelemetry.Central.Security;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Apis;

/// <summary>Researcher export: time-aligned CSV of one equipment's channels, streamed, after <c>#</c> notes in the request's language.</summary>
public static class ExportApi
{
    public static RouteGroupBuilder MapExportApi(this RouteGroupBuilder api)
    {
        api.MapGet("/export", async (HttpRequest request, EquipmentDirectory directory, ExportColumns columns, ProcessBatchStore store,
            ResearcherExport export, ExportNotes notes, TimeProvider clock, IOptions<ApiOptions> options, CancellationToken ct) =>
        {
            var q = QueryParameters.For(request, "site", "equipment", "from", "to", "every", "batches", "notes");
            var site = q.Site();
            var equipment = q.Equipment();
            var from = q.Time("from");
            var to = q.Time("to");
            var every = q.Duration("every", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
            var joinBatches = q.Bool("batches", false);
            var withNotes = q.Bool("notes", true);
            if (q.Period(from, to) && every is { } e && (to!.Value - from!.Value).Ticks / e.Ticks > options.Value.MaxExportRows)
                q.Error("every", $"the period holds more than {options.Value.MaxExportRows} intervals of this length; choose a longer 'every' or a shorter period");
            if (!q.IsValid) return q.Problem();

            // Everything that can be refused is checked before the first byte: after it, only an abort can signal failure.
            var known = await directory.ForSiteAsync(site!, from!.Value, to!.Value, ct);
            if (!known.TryGetValue(equipment!, out var measurements))
            {
                q.Error("equipment", $"unknown equipment '{equipment}': never seen in telemetry from site '{site}'");
                return q.Problem();
            }
            var channels = await columns.ForAsync(site!, equipment!, measurements, ct);
            IReadOnlyList<ProcessBatch>? batches = null;
            if (joinBatches == true)
                batches = (await store.ListAsync(site!, equipment, from!.Value - ProcessBatch.LongestBatch, to!.Value, ct)).Where(b => b.End > from).ToList();

            var r = new ExportRequest(site!, equipment!, from!.Value, to!.Value, every!.Value, channels, batches);
            // The notes are worded now, in the request's language (lang, Accept-Language, the site's default).
            if (withNotes == true) r = r with { Notes = notes.For(r, clock.GetUtcNow()) };
            var name = $"{site}_{equipment}_{from.Value.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}_{to.Value.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.csv";
            return Results.Stream(stream => export.WriteCsvAsync(r, stream, request.HttpContext.RequestAborted), "text/csv; charset=utf-8", name);
        }).RequireAuthorization(ApiPolicies.Export);
        return api;
    }
}
