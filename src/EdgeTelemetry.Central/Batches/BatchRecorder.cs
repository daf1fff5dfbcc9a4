using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Fleet;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Batches;

/// <summary>The outcome of recording: the batch, or field-level errors (nothing was stored), or a reason it cannot be done.</summary>
public sealed record BatchOutcome(ProcessBatch? Batch, IReadOnlyDictionary<string, string[]>? Errors, BatchProblem Problem = BatchProblem.None);

public enum BatchProblem { None, NotFound, AlreadyRecorded }

/// <summary>
/// Checks a batch or its assays completely before anything is written, then writes one point:
/// impossible input (negative mass, grade above 100 %, tailings richer than feed, end before start,
/// unknown equipment) is refused with an error per field and leaves InfluxDB untouched.
/// </summary>
public sealed class BatchRecorder(ProcessBatchStore store, EquipmentDirectory equipmentDirectory, ProcessTelemetry telemetry)
{
    public async Task<BatchOutcome> RecordAsync(BatchRequest r, CancellationToken ct)
    {
        var errors = new Errors();
        if (!Topics.IsValidId(r.Site)) errors.Add("site", r.Site is null ? "is required" : "is not a site id: [a-z0-9][a-z0-9_-]{0,63}");
        if (!QueryParameters.IsEquipmentId(r.Equipment)) errors.Add("equipment", r.Equipment is null ? "is required" : "is not an equipment id: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
        var start = Time(r.Start, "start", errors);
        var end = Time(r.End, "end", errors);
        if (start is { } s0 && end is { } e0 && e0 <= ProcessBatch.TruncateToSecond(s0)) errors.Add("end", "must be after start");
        else if (start is { } s1 && end is { } e1 && e1 - s1 > ProcessBatch.LongestBatch) errors.Add("end", $"a batch may last at most {ProcessBatch.LongestBatch.TotalDays:0} days");
        var feedMass = AssayUnits.MassKg(r.FeedMass, "feedMass", errors.Add);
        if (feedMass is 0) errors.Add("feedMass.value", "must be greater than 0");
        var loadCell = r.FeedMassFromLoadCell is null ? null : r.FeedMassFromLoadCell.Equipment ?? r.Equipment;
        if (r.FeedMass is not null && r.FeedMassFromLoadCell is not null)
            errors.Add("feedMassFromLoadCell", "give either feedMass or feedMassFromLoadCell, not both");
        if (loadCell is not null && !QueryParameters.IsEquipmentId(loadCell))
            errors.Add("feedMassFromLoadCell.equipment", "is not an equipment id: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

        IReadOnlyDictionary<string, IReadOnlyList<string>> known = new Dictionary<string, IReadOnlyList<string>>();
        if (!errors.Has("site"))
        {
            // Without valid times the directory looks back from now (the period is refused anyway).
            known = await equipmentDirectory.ForSiteAsync(r.Site!, start ?? DateTimeOffset.UtcNow, end ?? start ?? DateTimeOffset.UtcNow, ct);
            if (!errors.Has("equipment") && !known.ContainsKey(r.Equipment!))
                errors.Add("equipment", $"unknown equipment '{r.Equipment}': never seen in telemetry from site '{r.Site}'");
            if (loadCell is not null && !errors.Has("feedMassFromLoadCell.equipment") && !known.ContainsKey(loadCell))
                errors.Add("feedMassFromLoadCell.equipment", $"unknown equipment '{loadCell}': never seen in telemetry from site '{r.Site}'");
        }
        if (errors.Any) return errors.Outcome();

        var site = r.Site!;
        var equipment = r.Equipment!;
        var batchStart = ProcessBatch.TruncateToSecond(start!.Value);
        if (await store.FindAsync(site, equipment, batchStart, ct) is { } existing)
            return new BatchOutcome(existing, null, BatchProblem.AlreadyRecorded);

        // One machine runs one batch at a time: an overlap is a typo in a time, not a second batch.
        var overlapping = (await store.ListAsync(site, equipment, batchStart - ProcessBatch.LongestBatch, end!.Value, ct))
            .FirstOrDefault(b => b.End > batchStart);
        if (overlapping is not null)
        {
            errors.Add("start", $"overlaps batch {overlapping.Id} ({overlapping.Start:yyyy-MM-dd'T'HH:mm:ss'Z'} to {overlapping.End:yyyy-MM-dd'T'HH:mm:ss'Z'}) on the same equipment");
            return errors.Outcome();
        }

        string? source = feedMass is null ? null : "entered";
        if (loadCell is not null)
        {
            feedMass = await telemetry.LoadCellFeedMassKgAsync(site, loadCell, batchStart, end!.Value, ct);
            if (feedMass is not > 0)
            {
                errors.Add("feedMassFromLoadCell", feedMass is null
                    ? $"fewer than two minutes of load-cell readings (weighing.mass) from '{loadCell}' in the batch window"
                    : $"the load cell '{loadCell}' shows no weight loss in the batch window");
                return errors.Outcome();
            }
            source = "load_cell";
        }
        var conditions = await telemetry.MeansAsync(site, equipment, known[equipment], batchStart, end!.Value, ct);
        var inputs = new RecoveryInputs(feedMass, null, null, null, null);
        var batch = new ProcessBatch(site, equipment, batchStart, end.Value, feedMass, source, null, null, null, null,
            RecoveryCalculator.Calculate(inputs), conditions);
        await store.SaveAsync(batch, ct);
        return new BatchOutcome(batch, null);
    }

    public async Task<BatchOutcome> RecordAssaysAsync(string id, AssaysRequest r, CancellationToken ct)
    {
        if (!ProcessBatch.TryParseId(id, out var site, out var equipment, out var start)
            || await store.FindAsync(site, equipment, start, ct) is not { } batch)
            return new BatchOutcome(null, null, BatchProblem.NotFound);

        var errors = new Errors();
        if (r.FeedGrade is null && r.ConcentrateMass is null && r.ConcentrateGrade is null && r.TailingsGrade is null)
            errors.Add("body", "give at least one of feedGrade, concentrateMass, concentrateGrade, tailingsGrade");
        var f = AssayUnits.GradeGpt(r.FeedGrade, "feedGrade", errors.Add) ?? (r.FeedGrade is null ? batch.FeedGradeGpt : null);
        var cm = AssayUnits.MassKg(r.ConcentrateMass, "concentrateMass", errors.Add) ?? (r.ConcentrateMass is null ? batch.ConcentrateMassKg : null);
        var c = AssayUnits.GradeGpt(r.ConcentrateGrade, "concentrateGrade", errors.Add) ?? (r.ConcentrateGrade is null ? batch.ConcentrateGradeGpt : null);
        var t = AssayUnits.GradeGpt(r.TailingsGrade, "tailingsGrade", errors.Add) ?? (r.TailingsGrade is null ? batch.TailingsGradeGpt : null);

        // Cross-field checks run on the merged values, and the error goes to the member just entered.
        if (f is 0) errors.Add("feedGrade.value", "must be greater than 0: recovery is undefined for a barren feed");
        if (t > f) errors.Add(r.TailingsGrade is not null ? "tailingsGrade.value" : "feedGrade.value",
            $"tailings grade ({t:G6} g/t) cannot be above feed grade ({f:G6} g/t)");
        if (c is { } cc && t is { } tt && cc <= tt) errors.Add(r.ConcentrateGrade is not null ? "concentrateGrade.value" : "tailingsGrade.value",
            $"concentrate grade ({cc:G6} g/t) must be above tailings grade ({tt:G6} g/t)");
        if (cm > batch.FeedMassKg) errors.Add("concentrateMass.value",
            $"concentrate mass ({cm:G6} kg) cannot exceed the batch's feed mass ({batch.FeedMassKg:G6} kg)");
        if (errors.Any) return errors.Outcome();

        var kinds = await equipmentDirectory.ForSiteAsync(site, batch.Start, batch.End, ct);
        // Recomputed: telemetry from the batch window may have arrived late (backlog after an outage).
        var conditions = kinds.TryGetValue(equipment, out var measurements)
            ? await telemetry.MeansAsync(site, equipment, measurements, batch.Start, batch.End, ct)
            : batch.Conditions;
        var inputs = new RecoveryInputs(batch.FeedMassKg, f, cm, c, t);
        var updated = batch with
        {
            FeedGradeGpt = f, ConcentrateMassKg = cm, ConcentrateGradeGpt = c, TailingsGradeGpt = t,
            Recovery = RecoveryCalculator.Calculate(inputs),
            Conditions = Merge(conditions, batch.Conditions),
        };
        await store.SaveAsync(updated, ct);
        return new BatchOutcome(updated, null);
    }

    // A point rewrite keeps fields it does not name, so a mean that is now absent would still be stored: show that one.
    private static ProcessConditions Merge(ProcessConditions now, ProcessConditions before) => new(
        now.MeanBowlSpeedRpm ?? before.MeanBowlSpeedRpm, now.MeanBowlG ?? before.MeanBowlG,
        now.MeanFluidisationPressureKpa ?? before.MeanFluidisationPressureKpa, now.MeanFluidisationFlowLpm ?? before.MeanFluidisationFlowLpm,
        now.MeanFeedRateTph ?? before.MeanFeedRateTph, now.MeanStrokeRateSpm ?? before.MeanStrokeRateSpm);

    private static DateTimeOffset? Time(string? value, string field, Errors errors)
    {
        if (value is null)
        {
            errors.Add(field, "is required");
            return null;
        }
        if (QueryParameters.TryParseRfc3339(value, out var t)) return t;
        errors.Add(field, "is not an RFC 3339 time with offset, e.g. 2026-11-23T08:00:00Z");
        return null;
    }

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);
        public bool Any => _byField.Count > 0;
        public bool Has(string field) => _byField.ContainsKey(field);

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var list)) _byField[field] = list = [];
            list.Add(message);
        }

        public BatchOutcome Outcome() => new(null, _byField.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
