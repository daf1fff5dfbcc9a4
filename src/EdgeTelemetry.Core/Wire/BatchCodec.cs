using System.Text.Json;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Wire;

/// <summary>Encodes and decodes the JSON envelopes. Decoding is strict: unknown members are errors.</summary>
public static class BatchCodec
{
    public static byte[] Encode(TelemetryBatch batch) =>
        JsonSerializer.SerializeToUtf8Bytes(batch, WireJsonContext.Default.TelemetryBatch);

    public static byte[] Encode(DeviceStatus status) =>
        JsonSerializer.SerializeToUtf8Bytes(status, WireJsonContext.Default.DeviceStatus);

    public static TelemetryBatch ToBatch(string site, string device, string stream, string agentVersion, IEnumerable<Sample> samples, long? sentNs = null) => new()
    {
        Version = TelemetryBatch.CurrentVersion,
        SentNs = sentNs,
        Site = site,
        Device = device,
        Stream = stream,
        AgentVersion = agentVersion,
        Samples = samples.Select(s => new WireSample
        {
            Seq = s.Seq,
            TimestampNs = s.TimestampNs,
            Measurement = s.Measurement,
            Equipment = s.Equipment,
            Readings = s.Readings.Select(r => new WireReading { Name = r.Name, Value = r.Value, Unit = r.Unit }).ToList(),
        }).ToList(),
    };

    /// <summary>Parses a payload; on failure returns null and a reason code with a readable detail.</summary>
    public static TelemetryBatch? TryDecode(ReadOnlySpan<byte> utf8, out Rejection? error)
    {
        try
        {
            var batch = JsonSerializer.Deserialize(utf8, WireJsonContext.Default.TelemetryBatch);
            error = batch is null ? new Rejection(RejectReason.MalformedJson, "payload is JSON null") : null;
            return batch;
        }
        catch (JsonException ex)
        {
            // System.Text.Json reports unmapped members with this wording; classify it so the
            // dead-letter store tells a schema drift apart from a corrupted payload.
            var reason = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? RejectReason.UnknownField
                : RejectReason.MalformedJson;
            error = new Rejection(reason, ex.Message);
            return null;
        }
    }

    public static DeviceStatus? TryDecodeStatus(ReadOnlySpan<byte> utf8)
    {
        try { return JsonSerializer.Deserialize(utf8, WireJsonContext.Default.DeviceStatus); }
        catch (JsonException) { return null; }
    }
}
