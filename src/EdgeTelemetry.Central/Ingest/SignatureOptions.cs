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
    /// <summary>Per-site overrides of <see cref="Mode"/>, e.g. <c>Ingest:Signatures:Sites:md-huepetuhe-01=required</c>.</summary>
    public Dictionary<string, string> Sites { get; set; } = new(StringComparer.Ordinal);

    public bool IsRequired(string site) => (Sites.GetValueOrDefault(site) ?? Mode) == Required;

    /// <summary>Problems with the modes, for a start that refuses a misspelt "requried" rather than running permissive.</summary>
    public IEnumerable<string> Problems() =>
        new[] { ("Mode", Mode) }.Concat(Sites.Select(s => ($"Sites:{s.Key}", s.Value)))
            .Where(m => m.Item2 is not (Permissive or Required))
            .Select(m => $"Ingest:Signatures:{m.Item1} is '{m.Item2}': use '{Permissive}' or '{Required}'");
}
