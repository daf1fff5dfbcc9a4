using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeTelemetry.Wire;

/// <summary>
/// Central → device on <c>edgetelemetry/v1/{site}/{device}/receipts</c> (QoS 1): these sequence
/// numbers of this stream are now in InfluxDB (<c>stored</c>) or in the dead-letter store with
/// their reason (<c>rejected</c>). Ranges as in the delivery record: "1-200,202". One receipt per
/// device stream per InfluxDB write, sent only after that write succeeded.
/// </summary>
public sealed class Receipt
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; set; } = CurrentVersion;
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("stored")] public string? Stored { get; set; }
    [JsonPropertyName("rejected")] public string? Rejected { get; set; }
    /// <summary>
    /// Wire v2: these sequence numbers arrived in a batch whose dictionary (<see cref="Dictionary"/>, its topic id)
    /// the central service does not hold; neither stored nor dead-lettered. The agent publishes its dictionary again
    /// and re-sends them. No <see cref="Stream"/>: the stream is named in the dictionary it lacks.
    /// </summary>
    [JsonPropertyName("deferred")] public string? Deferred { get; set; }
    [JsonPropertyName("dictionary")] public string? Dictionary { get; set; }
}

/// <summary>Retained on <see cref="Topics.CentralCapabilities"/>: what the central service behind this broker does.</summary>
public sealed class CentralCapabilities
{
    [JsonPropertyName("v")] public int Version { get; set; } = 1;
    /// <summary>Receipt protocol version; 0 or absent = no receipts (PUBACK is all a device gets).</summary>
    [JsonPropertyName("receipts")] public int Receipts { get; set; }
    /// <summary>Highest wire encoding accepted; 0 or absent = v1 JSON only (an agent on "auto" then sends JSON).</summary>
    [JsonPropertyName("wire")] public int Wire { get; set; }
}

public static class ReceiptCodec
{
    public static byte[] Encode(Receipt receipt) => JsonSerializer.SerializeToUtf8Bytes(receipt, ReceiptJsonContext.Default.Receipt);

    public static byte[] Encode(CentralCapabilities c) => JsonSerializer.SerializeToUtf8Bytes(c, ReceiptJsonContext.Default.CentralCapabilities);

    /// <summary>Null for anything that is not a receipt (a device never trusts a malformed one).</summary>
    public static Receipt? TryDecode(ReadOnlySpan<byte> utf8)
    {
        try { return JsonSerializer.Deserialize(utf8, ReceiptJsonContext.Default.Receipt); }
        catch (JsonException) { return null; }
    }

    public static CentralCapabilities? TryDecodeCapabilities(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return null; // a cleared retained message
        try { return JsonSerializer.Deserialize(utf8, ReceiptJsonContext.Default.CentralCapabilities); }
        catch (JsonException) { return null; }
    }
}

// Lenient on unknown members (unlike batches): a newer central may add fields an older agent ignores.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(CentralCapabilities))]
internal sealed partial class ReceiptJsonContext : JsonSerializerContext;
