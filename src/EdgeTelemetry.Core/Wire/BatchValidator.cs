using System.Text.RegularExpressions;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Wire;

public sealed record ValidationLimits
{
    public int MaxPayloadBytes { get; init; } = 256 * 1024;
    public int MaxSamplesPerBatch { get; init; } = 5000;
    public int MaxReadingsPerSample { get; init; } = 64;
    /// <summary>How far ahead of the receiver's clock a timestamp may be (device clocks drift).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Measurements a device may write beyond <see cref="Measurements.DeviceWritable"/> (a new sensor type).</summary>
    public IReadOnlySet<string> AdditionalMeasurements { get; init; } = new HashSet<string>();
}

/// <summary>
/// The outcome of validating one message: the device it came from (when known), the samples
/// that may be stored, and why anything else was refused. A message-level problem rejects the
/// whole message; a sample-level problem rejects only that sample, so one NaN does not cost
/// the 99 good samples beside it.
/// </summary>
public sealed record ValidatedBatch(
    DeviceTopic? Topic,
    TelemetryBatch? Batch,
    IReadOnlyList<Sample> Accepted,
    IReadOnlyList<Rejection> Rejections)
{
    public bool IsFullyRejected => Accepted.Count == 0 && Rejections.Count > 0;
}

public static partial class BatchValidator
{
    // Anchored with \z: "$" would also match before a trailing newline.
    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z")]
    private static partial Regex EquipmentPattern();

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,64}\z")]
    private static partial Regex StreamPattern();

    /// <summary>Field names the storage layer adds itself.</summary>
    // "signed": only the service may say a point came from a verified batch.
    public static readonly IReadOnlySet<string> ReservedFields = new HashSet<string> { "seq", "time", Model.PointFlags.Signed };

    /// <summary>Largest sequence number: 2^53, the largest integer every JSON reader and a double hold exactly.</summary>
    public const long MaxSeq = 1L << 53;

    /// <summary>The names a message is allowed to carry in its topic, envelope and samples; public so HTTP and bundle input check the same way.</summary>
    public static bool IsValidStream(string? stream) => stream is not null && StreamPattern().IsMatch(stream);

    /// <summary>How far a v2 payload may decompress, as a multiple of the payload limit (Brotli gets ~3-10× on telemetry).</summary>
    public const int MaxV2Expansion = 16;

    /// <param name="dictionaries">Wire-v2 dictionaries received so far, by (site, device, id); null accepts v1 JSON only.</param>
    public static ValidatedBatch Validate(string topic, ReadOnlySpan<byte> payload, DateTimeOffset receivedAt, ValidationLimits limits,
        Func<string, string, ulong, V2.ChannelDictionary?>? dictionaries = null)
    {
        if (!Topics.TryParse(topic, out var parsed) || parsed.Kind == TopicKind.Status)
            return Reject(null, null, RejectReason.BadTopic, $"topic '{Truncate(topic)}' is not edgetelemetry/v1/<site>/<device>/telemetry|events");

        if (payload.Length > limits.MaxPayloadBytes)
            return Reject(parsed, null, RejectReason.Oversized, $"payload is {payload.Length} bytes; the limit is {limits.MaxPayloadBytes}");

        // v2 decodes into the same envelope as v1 (site and device from the topic), so every rule below judges both.
        Rejection? decodeError;
        TelemetryBatch? batch;
        if (!V2.WireV2.IsV2(payload)) batch = BatchCodec.TryDecode(payload, out decodeError);
        else if (dictionaries is null) (batch, decodeError) = (null, new Rejection(RejectReason.UnsupportedVersion, "a wire-v2 payload where only v1 JSON is accepted"));
        else batch = V2.WireV2.TryDecode(payload, parsed.Site, parsed.Device, id => dictionaries(parsed.Site, parsed.Device, id),
            limits.MaxSamplesPerBatch, limits.MaxPayloadBytes * MaxV2Expansion, out decodeError);
        if (batch is null) return new ValidatedBatch(parsed, null, [], [decodeError!]);

        if (batch.Version != TelemetryBatch.CurrentVersion)
            return Reject(parsed, batch, RejectReason.UnsupportedVersion, $"envelope version {batch.Version} is not supported (expected {TelemetryBatch.CurrentVersion})");
        if (batch.Site != parsed.Site || batch.Device != parsed.Device)
            return Reject(parsed, batch, RejectReason.DeviceMismatch, $"envelope names {batch.Site}/{batch.Device} but was published on {parsed.Site}/{parsed.Device}");
        if (!IsValidStream(batch.Stream))
            return Reject(parsed, batch, RejectReason.InvalidStream, "stream id must be 1-64 characters of A-Z, a-z, 0-9 and '-'");
        if (batch.Samples is null || batch.Samples.Count == 0)
            return Reject(parsed, batch, RejectReason.EmptyBatch, "batch has no samples");
        if (batch.Samples.Count > limits.MaxSamplesPerBatch)
            return Reject(parsed, batch, RejectReason.Oversized, $"batch has {batch.Samples.Count} samples; the limit is {limits.MaxSamplesPerBatch}");

        var latestNs = LatestNs(receivedAt, limits);
        var accepted = new List<Sample>(batch.Samples.Count);
        var rejections = new List<Rejection>();
        foreach (var s in batch.Samples)
        {
            var problem = Check(s, latestNs, limits);
            if (problem is not null) { rejections.Add(problem); continue; }
            accepted.Add(new Sample(s!.Seq, s.TimestampNs, s.Measurement!, s.Equipment!,
                s.Readings!.Select(r => new Reading(r.Name!, r.Value, r.Unit!)).ToArray()));
        }
        return new ValidatedBatch(parsed, batch, accepted, rejections);
    }

    /// <summary>The latest timestamp a sample received at <paramref name="receivedAt"/> may carry.</summary>
    public static long LatestNs(DateTimeOffset receivedAt, ValidationLimits limits)
    {
        // Bounded so no configuration can push the limit past what a long of nanoseconds holds.
        var skew = limits.MaxFutureSkew < TimeSpan.Zero ? TimeSpan.Zero : limits.MaxFutureSkew > TimeSpan.FromDays(3650) ? TimeSpan.FromDays(3650) : limits.MaxFutureSkew;
        return Time.ToUnixNanoseconds(receivedAt + skew);
    }

    private static Rejection? Check(WireSample? s, long latestNs, ValidationLimits limits)
    {
        // JSON null where an object belongs ("samples":[null]) decodes to a null element.
        if (s is null) return new(RejectReason.MalformedJson, "a sample is null");
        if (s.Seq < 1 || s.Seq > MaxSeq) return new(RejectReason.InvalidSequence, $"seq {s.Seq} must be within [1, 2^53]");  // no seq: it must not enter delivery accounting
        if (s.TimestampNs < Time.EarliestPlausibleNs || s.TimestampNs > latestNs)
            return new(RejectReason.TimestampOutOfRange, $"seq {s.Seq}: timestamp {s.TimestampNs} ns is before 2000 or more than {limits.MaxFutureSkew} ahead of the receiver", s.Seq);
        if (s.Measurement is null || !NamePattern().IsMatch(s.Measurement))
            return new(RejectReason.InvalidName, $"seq {s.Seq}: measurement '{Truncate(s.Measurement)}' must match [a-z][a-z0-9_]{{0,63}}", s.Seq);
        if (Measurements.ServiceOwned.Contains(s.Measurement))
            return new(RejectReason.ReservedMeasurement, $"seq {s.Seq}: measurement '{s.Measurement}' belongs to the central service; a device may not write it", s.Seq);
        if (!Measurements.DeviceWritable.Contains(s.Measurement) && !limits.AdditionalMeasurements.Contains(s.Measurement))
            return new(RejectReason.UnknownMeasurement, $"seq {s.Seq}: measurement '{s.Measurement}' is not one a device may write (catalogue, agent records or Ingest:AdditionalMeasurements)", s.Seq);
        if (s.Equipment is null || !EquipmentPattern().IsMatch(s.Equipment))
            return new(RejectReason.InvalidName, $"seq {s.Seq}: equipment '{Truncate(s.Equipment)}' must match [A-Za-z0-9][A-Za-z0-9_.-]{{0,63}}", s.Seq);
        if (s.Readings is null || s.Readings.Count == 0)
            return new(RejectReason.EmptyBatch, $"seq {s.Seq}: sample has no readings", s.Seq);
        if (s.Readings.Count > limits.MaxReadingsPerSample)
            return new(RejectReason.Oversized, $"seq {s.Seq}: {s.Readings.Count} readings; the limit is {limits.MaxReadingsPerSample}", s.Seq);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in s.Readings)
        {
            if (r is null) return new(RejectReason.MalformedJson, $"seq {s.Seq}: a reading is null", s.Seq);
            if (r.Name is null || !NamePattern().IsMatch(r.Name) || ReservedFields.Contains(r.Name) || !seen.Add(r.Name))
                return new(RejectReason.InvalidName, $"seq {s.Seq}: reading name '{Truncate(r.Name)}' is invalid, reserved or repeated", s.Seq);
            if (!double.IsFinite(r.Value))
                return new(RejectReason.NonFiniteValue, $"seq {s.Seq}: {s.Measurement}.{r.Name} is {r.Value}", s.Seq);
            if (r.Unit is null || !Units.Known.Contains(r.Unit))
                return new(RejectReason.UnknownUnit, $"seq {s.Seq}: {s.Measurement}.{r.Name} has unknown unit '{Truncate(r.Unit)}'", s.Seq);
            var known = Channels.Find(s.Measurement, r.Name);
            if (known is not null && known.Unit != r.Unit)
                return new(RejectReason.UnitMismatch, $"seq {s.Seq}: {s.Measurement}.{r.Name} must be in {known.Unit}, got {r.Unit}", s.Seq);
        }
        return null;
    }

    private static ValidatedBatch Reject(DeviceTopic? topic, TelemetryBatch? batch, RejectReason reason, string detail) =>
        new(topic, batch, [], [new Rejection(reason, detail)]);

    private static string Truncate(string? s) => s is null ? "(null)" : s.Length <= 80 ? s : s[..80] + "…";
}
