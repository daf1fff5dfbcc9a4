namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// <c>Ingest:Signatures</c>: whether a site's devices must sign their batches. A device with a key enrolled must sign
/// in either mode; the mode decides what happens to a device without one.
/// </summary>
public sealed class SignatureOptions
{
    public const string Permissive = "permissive";
    public const string Required = "required";

    /// <summary>
    /// <c>permissive</c> (default, so existing fleets keep working while keys are rolled out): a device with no key
    /// enrolled is stored, its points unmarked. <c>required</c>: such a device's batches are refused (unsigned_batch).
    /// </summary>
    public string Mode { get; set; } = Permissive;
    /// <summary>Per-site overrides of <see cref="Mode"/>, e.g. <c>Ingest:Signatures:Sites:site-a=required</c>.</summary>
    public Dictionary<string, string> Sites { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Sites (comma-separated) whose devices must sign, whatever <see cref="Mode"/> says: the per-site form an environment
    /// file can carry. A variable name cannot hold the '-' of a site id (<c>Ingest__Signatures__Sites__md-huepetuhe-01</c>
    /// is dropped by systemd's EnvironmentFile and by sh), a value can: <c>Ingest__Signatures__RequiredSites=md-huepetuhe-01</c>.
    /// </summary>
    public string? RequiredSites { get; set; }
    /// <summary>Sites (comma-separated) kept permissive where <see cref="Mode"/> is <c>required</c>.</summary>
    public string? PermissiveSites { get; set; }

    public bool IsRequired(string site) =>
        (Sites.GetValueOrDefault(site)
         ?? (SiteSet(ref _required, RequiredSites).Contains(site) ? Required : SiteSet(ref _permissive, PermissiveSites).Contains(site) ? Permissive : Mode)) == Required;

    /// <summary>Problems with the modes, for a start that refuses a misspelt "requried" rather than running permissive.</summary>
    public IEnumerable<string> Problems() =>
        new[] { ("Mode", Mode) }.Concat(Sites.Select(s => ($"Sites:{s.Key}", s.Value)))
            .Where(m => m.Item2 is not (Permissive or Required))
            .Select(m => $"Ingest:Signatures:{m.Item1} is '{m.Item2}': use '{Permissive}' or '{Required}'")
            .Concat(SiteSet(ref _required, RequiredSites).Intersect(SiteSet(ref _permissive, PermissiveSites))
                .Select(site => $"Ingest:Signatures: site '{site}' is in both RequiredSites and PermissiveSites"));

    private sealed record SiteList(string? Source, HashSet<string> Sites);
    private SiteList? _required, _permissive;

    /// <summary>The comma-separated list, parsed once per value (the ingest path asks for every batch).</summary>
    private static HashSet<string> SiteSet(ref SiteList? cache, string? list)
    {
        if (cache is { } c && ReferenceEquals(c.Source, list)) return c.Sites;
        var sites = (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        cache = new SiteList(list, sites);
        return sites;
    }
}
