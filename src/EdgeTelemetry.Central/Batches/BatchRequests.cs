using EdgeTelemetry.Central.Localization;

namespace EdgeTelemetry.Central.Batches;

/// <summary>POST /api/batches: a batch as the operator records it. Times are RFC 3339.</summary>
public sealed class BatchRequest
{
    public string? Site { get; set; }
    public string? Equipment { get; set; }
    public string? Start { get; set; }
    public string? End { get; set; }
    /// <summary>Entered feed mass (kg, t or g).</summary>
    public Quantity? FeedMass { get; set; }
    /// <summary>Or: take the feed mass from a load cell (weighing.mass) over the batch window.</summary>
    public LoadCellSource? FeedMassFromLoadCell { get; set; }
}

public sealed class LoadCellSource
{
    /// <summary>The load cell's equipment id; the batch's equipment when omitted.</summary>
    public string? Equipment { get; set; }
}

/// <summary>PUT /api/batches/{id}/assays: the assay results; members left out keep their stored value.</summary>
public sealed class AssaysRequest
{
    public Quantity? FeedGrade { get; set; }
    public Quantity? ConcentrateMass { get; set; }
    public Quantity? ConcentrateGrade { get; set; }
    public Quantity? TailingsGrade { get; set; }
}

/// <summary>A batch as the API returns it, with advice that is not stored (e.g. recovery above 100 %), in the request's language.</summary>
public sealed record BatchView(string Id, ProcessBatch Batch, IReadOnlyList<string> Warnings)
{
    public static BatchView Of(ProcessBatch b, ReportWords w)
    {
        var warnings = new List<string>();
        if (b.Recovery.RecoveryPct > 100)
            warnings.Add(w["warning.recoveryAbove100"]);
        if (b.Recovery is { Method: RecoveryCalculator.MassBalance, RecoveryPct: { } mb, TwoProductRecoveryPct: { } tp } && Math.Abs(mb - tp) > 10)
            warnings.Add(w.Format("warning.methodsDisagree", mb.ToString("0.#", w.Culture), tp.ToString("0.#", w.Culture)));
        if (b.Recovery.RecoveryPct is null)
            warnings.Add(w["warning.notComputable"]);
        return new BatchView(b.Id, b, warnings);
    }
}
