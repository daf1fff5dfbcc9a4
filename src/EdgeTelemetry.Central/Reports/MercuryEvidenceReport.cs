using EdgeTelemetry.Central.Batches;

namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// Mercury-elimination evidence for one site and period: per monitor, how well the period is
/// covered and what was measured against the reference values; how long the gravity circuit ran;
/// the batches and their recoveries; and what the data cannot vouch for.
/// </summary>
public sealed record MercuryEvidenceReport(
    string Site,
    DateTimeOffset From,
    DateTimeOffset To,
    /// <summary>min(To, generation time): coverage of the future is not claimed.</summary>
    DateTimeOffset EvidenceUntil,
    DateTimeOffset GeneratedAt,
    double GapThresholdSeconds,
    double SiteActionLevelUgM3,
    IReadOnlyList<ReferenceValue> References,
    /// <summary>False when no monitor has a single valid reading in the period: the report says so instead of showing zeros.</summary>
    bool HasData,
    string Summary,
    IReadOnlyList<MonitorEvidence> Monitors,
    IReadOnlyList<OperatingHours> GravityCircuit,
    IReadOnlyList<BatchView> Batches,
    DataIntegrity Integrity,
    /// <summary>Plain statements of what this report cannot vouch for.</summary>
    IReadOnlyList<string> NotVouchedFor,
    IReadOnlyList<string> Method);

public sealed record MonitorEvidence(
    string Device,
    string Equipment,
    long ValidReadings,
    double CoveragePct,
    double CoveredSeconds,
    IReadOnlyList<EvidenceGap> Gaps,
    /// <summary>Null without readings (never zeros).</summary>
    ConcentrationStatistics? Statistics,
    IReadOnlyList<TimeAbove> TimeAbove,
    /// <summary>Runs above the site action level.</summary>
    IReadOnlyList<Exceedance> Exceedances,
    long ClockCorrected,
    long ClockUncertainExcluded,
    long ClockSkewFlagged,
    /// <summary>Valid readings from batches whose device signature verified (points marked signed); the rest the report cannot tie to the device's key.</summary>
    long SignedReadings = 0)
{
    public long UnsignedReadings => ValidReadings - SignedReadings;
    public double SignedPct => ValidReadings > 0 ? SignedReadings * 100.0 / ValidReadings : 0;
}

public sealed record TimeAbove(string Reference, double ReferenceUgM3, double Seconds, double PctOfCovered);

/// <summary>Operating time of one piece of gravity equipment, counted in whole minutes whose mean indicator reached the threshold.</summary>
public sealed record OperatingHours(string Equipment, string Kind, double Hours, double HoursWithData, string Rule);

public sealed record DeviceIntegrity(
    string Device,
    long SamplesInPeriod,
    long MissingBySequence,
    long SequenceRestarts,
    long DuplicatesReceived,
    long EvictedOnDevice,
    long UntrustedClockReports,
    /// <summary>Replays refused because they would have changed stored values (conflicting_replay); the stored values stand.</summary>
    long ConflictingReplays = 0);

public sealed record RejectCount(string Device, string Reason, long Count);

public sealed record DataIntegrity(IReadOnlyList<DeviceIntegrity> Devices, IReadOnlyList<RejectCount> Rejected);
