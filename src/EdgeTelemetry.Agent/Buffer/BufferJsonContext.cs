using System.Text.Json.Serialization;
using EdgeTelemetry.Agent.Buffer.Log;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>A reading as an older agent stored it in its SQLite buffer's r column (compact JSON); read when migrating.</summary>
public sealed record StoredReading(string N, double V, string U);

[JsonSerializable(typeof(StoredReading[]))]
[JsonSerializable(typeof(BufferState))]
internal sealed partial class BufferJsonContext : JsonSerializerContext;
