namespace EdgeTelemetry.Central.Reports;

/// <summary>A reference concentration for elemental mercury vapour in air, in µg/m³, and where it comes from.</summary>
public sealed record ReferenceValue(string Id, string Name, double UgM3, string Basis);

/// <summary>
/// Reference values for elemental mercury vapour (DESIGN.md, domain facts). They differ in what
/// they average over (annual, chronic, 8 h work shift): "time above" compares readings with them,
/// it does not claim a limit was breached in that value's own sense.
/// </summary>
public static class ReferenceValues
{
    public static readonly ReferenceValue AtsdrMrl = new("atsdr_mrl", "ATSDR chronic inhalation MRL", 0.2, "chronic, general population");
    public static readonly ReferenceValue WhoGuideline = new("who_guideline", "WHO air-quality guideline", 1, "annual average");
    public static readonly ReferenceValue AcgihTlv = new("acgih_tlv", "ACGIH TLV-TWA", 25, "8 h occupational time-weighted average");

    public static ReferenceValue SiteActionLevel(double ugM3) =>
        new("site_action_level", "Site action level", ugM3, "set by the site (Api:SiteActionLevelUgM3)");

    /// <summary>All four, lowest first.</summary>
    public static IReadOnlyList<ReferenceValue> For(double siteActionLevelUgM3) =>
        new[] { AtsdrMrl, WhoGuideline, AcgihTlv, SiteActionLevel(siteActionLevelUgM3) }.OrderBy(r => r.UgM3).ToList();
}
