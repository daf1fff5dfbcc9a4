using System.Text.Json.Serialization;

namespace EdgeTelemetry.Wire;

/// <summary>
/// Version 1 of the batch envelope published on the telemetry and events topics
/// (docs/wire-protocol.md). Short member names keep a 100-sample batch small on a satellite link.
/// </summary>
public sealed class TelemetryBatch
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; set; }
    [JsonPropertyName("site")] public string? Site { get; set; }
    [JsonPropertyName("device")] public string? Device { get; set; }
    /// <summary>Identifies one life of the device's buffer; a new buffer starts a new stream at seq 1.</summary>
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("agent")] public string? AgentVersion { get; set; }
    /// <summary>Optional: the agent's clock when it sent the batch (UTC ns), so the receiver can see a wrong device clock.</summary>
    [JsonPropertyName("sent")] public long? SentNs { get; set; }
    [JsonPropertyName("samples")] public List<WireSample>? Samples { get; set; }
}

public sealed class WireSample
{
    [JsonPropertyName("seq")] public long Seq { get; set; }
    /// <summary>UTC, nanoseconds since the Unix epoch.</summary>
    [JsonPropertyName("t")] public long TimestampNs { get; set; }
    [JsonPropertyName("m")] public string? Measurement { get; set; }
    [JsonPropertyName("eq")] public string? Equipment { get; set; }
    [JsonPropertyName("r")] public List<WireReading>? Readings { get; set; }
}

public sealed class WireReading
{
    [JsonPropertyName("n")] public string? Name { get; set; }
    [JsonPropertyName("v")] public double Value { get; set; }
    [JsonPropertyName("u")] public string? Unit { get; set; }
}

/// <summary>Retained message on the status topic; the last-will carries State = "offline".</summary>
public sealed class DeviceStatus
{
    [JsonPropertyName("v")] public int Version { get; set; } = 1;
    [JsonPropertyName("state")] public string State { get; set; } = "online";
    [JsonPropertyName("agent")] public string? AgentVersion { get; set; }
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("at")] public DateTimeOffset? At { get; set; }
}

[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TelemetryBatch))]
[JsonSerializable(typeof(DeviceStatus))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
