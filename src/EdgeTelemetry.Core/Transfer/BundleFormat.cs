using System.Text.Json.Serialization;

namespace EdgeTelemetry.Transfer;

/// <summary>
/// The first line of a bundle: what it holds. Every member is checked against the lines that follow
/// when the bundle is read, so the header cannot claim samples the file does not carry.
/// </summary>
public sealed class BundleHeader
{
    public const string FormatName = "edgetelemetry-bundle";
    /// <summary>2: lines may carry wire-v2 batches and their dictionaries (docs/offline-transfer.md); 1: v1 JSON envelopes only.</summary>
    public const int CurrentVersion = 2;
    public const int OldestVersion = 1;

    [JsonPropertyName("format")] public string Format { get; set; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; set; } = CurrentVersion;
    [JsonPropertyName("site")] public string Site { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";
    [JsonPropertyName("stream")] public string Stream { get; set; } = "";
    [JsonPropertyName("agent")] public string? AgentVersion { get; set; }
    /// <summary>The agent's clock when the bundle was written (informational: the device clock may be wrong).</summary>
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    /// <summary>"unsent", "all" or "range" (then <see cref="From"/>/<see cref="To"/>, sample time, from ≤ t &lt; to).</summary>
    [JsonPropertyName("selection")] public string Selection { get; set; } = "unsent";
    [JsonPropertyName("from")] public DateTimeOffset? From { get; set; }
    [JsonPropertyName("to")] public DateTimeOffset? To { get; set; }
    [JsonPropertyName("samples")] public long Samples { get; set; }
    [JsonPropertyName("firstSeq")] public long FirstSeq { get; set; }
    [JsonPropertyName("lastSeq")] public long LastSeq { get; set; }
    /// <summary>The exported sequence numbers as ranges, "1-200,450-900" (unsent rows need not be contiguous).</summary>
    [JsonPropertyName("seqs")] public string Seqs { get; set; } = "";
    [JsonPropertyName("kinds")] public BundleKinds Kinds { get; set; } = new();
}

/// <summary>Samples per topic kind.</summary>
public sealed class BundleKinds
{
    [JsonPropertyName("telemetry")] public long Telemetry { get; set; }
    [JsonPropertyName("events")] public long Events { get; set; }
}

/// <summary>The last line: SHA-256 (lower-case hex) over every preceding byte of the uncompressed content.</summary>
internal sealed class BundleTrailer
{
    [JsonPropertyName("sha256")] public string Sha256 { get; set; } = "";
}

/// <summary>A bundle that is damaged, truncated or inconsistent; the message names the file and the line.</summary>
public sealed class BundleFormatException(string path, long line, string problem)
    : Exception($"{path}:{line}: {problem}")
{
    public string FilePath { get; } = path;
    public long Line { get; } = line;
    public string Problem { get; } = problem;
}

[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BundleHeader))]
[JsonSerializable(typeof(BundleTrailer))]
internal sealed partial class BundleJsonContext : JsonSerializerContext;
