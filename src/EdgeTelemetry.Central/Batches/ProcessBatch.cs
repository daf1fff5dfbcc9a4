using System.Globalization;
using System.Text.Json.Serialization;
using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Batches;

/// <summary>Process means over a batch window, from the equipment's telemetry; null where it has no such channel.</summary>
public sealed record ProcessConditions(
    double? MeanBowlSpeedRpm,
    double? MeanBowlG,
    double? MeanFluidisationPressureKpa,
    double? MeanFluidisationFlowLpm,
    double? MeanFeedRateTph,
    double? MeanStrokeRateSpm)
{
    public static readonly ProcessConditions None = new(null, null, null, null, null, null);
}

/// <summary>
/// One processing batch (a process_batch point): masses in kg, grades in g/t. Its identity in
/// InfluxDB is site + equipment + start, so its id is made of exactly those and editing rewrites
/// the same point.
/// </summary>
public sealed record ProcessBatch(
    string Site,
    string Equipment,
    DateTimeOffset Start,
    DateTimeOffset End,
    double? FeedMassKg,
    string? FeedMassSource,
    double? FeedGradeGpt,
    double? ConcentrateMassKg,
    double? ConcentrateGradeGpt,
    double? TailingsGradeGpt,
    RecoveryResult Recovery,
    ProcessConditions Conditions)
{
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Longest batch accepted; also how far back to look for a batch that spans a given instant.</summary>
    public static readonly TimeSpan LongestBatch = TimeSpan.FromDays(7);

    /// <summary><c>{site}.{equipment}.{start as yyyyMMddTHHmmssZ}</c>: sites have no '.', stamps neither, so it splits unambiguously.</summary>
    [JsonIgnore] // the API shows it once, beside the batch (BatchView.Id)
    public string Id => FormatId(Site, Equipment, Start);

    [JsonIgnore]
    public RecoveryInputs Inputs => new(FeedMassKg, FeedGradeGpt, ConcentrateMassKg, ConcentrateGradeGpt, TailingsGradeGpt);

    public static string FormatId(string site, string equipment, DateTimeOffset start) =>
        $"{site}.{equipment}.{start.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture)}";

    public static bool TryParseId(string id, out string site, out string equipment, out DateTimeOffset start)
    {
        site = equipment = "";
        start = default;
        var first = id.IndexOf('.');
        var last = id.LastIndexOf('.');
        if (first <= 0 || last <= first + 1) return false;
        site = id[..first];
        equipment = id[(first + 1)..last];
        if (!Topics.IsValidId(site) || !QueryParameters.IsEquipmentId(equipment)) return false;
        return DateTimeOffset.TryParseExact(id[(last + 1)..], StampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start);
    }

    /// <summary>Batch starts are kept to the second, the precision of the id.</summary>
    public static DateTimeOffset TruncateToSecond(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
