namespace EdgeTelemetry.Model;

/// <summary>
/// Fields the central service adds to a device's points (never the device's own readings: BatchValidator reserves
/// them). Readers that list a point's channels leave them out; the replay check does not compare them.
/// </summary>
public static class PointFlags
{
    /// <summary><c>signed=true</c>: the point came from a batch whose device signature verified; absent otherwise.</summary>
    public const string Signed = "signed";
    /// <summary>Seconds between the device's clock and the receiver's, when beyond Ingest:MaxClockSkewSeconds.</summary>
    public const string ClockSkew = "clock_skew";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Signed, ClockSkew };
}
