using System.Text.Json.Serialization;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>A reading as stored in the buffer's r column (compact JSON).</summary>
public sealed record StoredReading(string N, double V, string U);

[JsonSerializable(typeof(StoredReading[]))]
internal sealed partial class BufferJsonContext : JsonSerializerContext;
