namespace EdgeTelemetry.Central.Apis;

/// <summary>One API key and the role it grants (section "Api:Keys").</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key; shown in logs instead of the key.</summary>
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>operator, technician, researcher or admin.</summary>
    public string Role { get; set; } = "";
}

/// <summary>The user-facing HTTP API (section "Api"): keys, and the settings reports depend on.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>The site's own mercury action level (µg/m³), reported beside the WHO, ATSDR and ACGIH values.</summary>
    public double SiteActionLevelUgM3 { get; set; } = 10;

    /// <summary>Per-site overrides of <see cref="SiteActionLevelUgM3"/>, keyed by site id.</summary>
    public Dictionary<string, double> SiteActionLevels { get; set; } = [];

    /// <summary>A stretch without a valid reading longer than this is a gap in the evidence.</summary>
    public double GapThresholdSeconds { get; set; } = 300;

    /// <summary>Longest report period; a year of 1 Hz readings is ~32 M values held for the percentiles.</summary>
    public int MaxReportDays { get; set; } = 366;

    /// <summary>Most rows one export may produce (range / every).</summary>
    public long MaxExportRows { get; set; } = 10_000_000;

    /// <summary>A centrifuge counts as operating in a minute whose mean bowl speed reaches this (rpm).</summary>
    public double CentrifugeOperatingRpm { get; set; } = 60;

    /// <summary>A shaking table counts as operating in a minute whose mean stroke rate reaches this (spm).</summary>
    public double TableOperatingSpm { get; set; } = 30;

    /// <summary>A sluice counts as operating in a minute whose mean water flow reaches this (L/min).</summary>
    public double SluiceOperatingLpm { get; set; } = 5;

    public double ActionLevelFor(string site) =>
        SiteActionLevels.TryGetValue(site, out var level) ? level : SiteActionLevelUgM3;
}
