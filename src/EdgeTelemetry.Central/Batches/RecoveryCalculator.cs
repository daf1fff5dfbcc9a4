namespace EdgeTelemetry.Central.Batches;

/// <summary>What is known about a batch's masses (kg) and grades (g/t); null = not (yet) measured.</summary>
public sealed record RecoveryInputs(
    double? FeedMassKg, double? FeedGradeGpt, double? ConcentrateMassKg, double? ConcentrateGradeGpt, double? TailingsGradeGpt);

/// <summary>
/// Recovery and its companions. <see cref="TwoProductRecoveryPct"/> is a cross-check: when masses
/// and all three grades are known, mass balance gives <see cref="RecoveryPct"/> and the two-product
/// figure shows whether masses and assays agree.
/// </summary>
public sealed record RecoveryResult(
    double? RecoveryPct, string? Method, double? MassPullPct, double? UpgradeRatio, double? TwoProductRecoveryPct);

/// <summary>
/// Gold recovery of a gravity-concentration batch (DESIGN.md, domain facts):
/// mass balance R = C·c / (F·f) × 100 %; without masses the two-product formula
/// R = c (f − t) / (f (c − t)) × 100 %; mass pull = C / F × 100 %; upgrade ratio = c / f.
/// F, C feed and concentrate mass; f, c, t feed, concentrate and tailings grade (any one unit).
/// </summary>
public static class RecoveryCalculator
{
    public const string MassBalance = "mass_balance";
    public const string TwoProduct = "two_product";

    public static double MassBalanceRecoveryPct(double feedMass, double feedGrade, double concentrateMass, double concentrateGrade) =>
        concentrateMass * concentrateGrade / (feedMass * feedGrade) * 100;

    public static double TwoProductRecoveryPctOf(double feedGrade, double concentrateGrade, double tailingsGrade) =>
        concentrateGrade * (feedGrade - tailingsGrade) / (feedGrade * (concentrateGrade - tailingsGrade)) * 100;

    public static RecoveryResult Calculate(RecoveryInputs x)
    {
        double? massPull = x is { FeedMassKg: > 0, ConcentrateMassKg: { } cm } ? cm / x.FeedMassKg.Value * 100 : null;
        double? upgrade = x is { FeedGradeGpt: > 0, ConcentrateGradeGpt: { } cg } ? cg / x.FeedGradeGpt.Value : null;
        // The two-product formula needs f > 0 and c ≠ t; validation refuses c ≤ t, so only guard here.
        double? twoProduct = x is { FeedGradeGpt: > 0 and var f, ConcentrateGradeGpt: { } c, TailingsGradeGpt: { } t } && c > t
            ? TwoProductRecoveryPctOf(f, c, t)
            : null;
        if (x is { FeedMassKg: > 0 and var fm, FeedGradeGpt: > 0 and var fg, ConcentrateMassKg: { } cmass, ConcentrateGradeGpt: { } cgrade })
            return new RecoveryResult(MassBalanceRecoveryPct(fm, fg, cmass, cgrade), MassBalance, massPull, upgrade, twoProduct);
        if (twoProduct is { } r)
            return new RecoveryResult(r, TwoProduct, massPull, upgrade, twoProduct);
        return new RecoveryResult(null, null, massPull, upgrade, null);
    }
}
