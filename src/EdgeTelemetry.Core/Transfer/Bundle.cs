using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Transfer;

/// <summary>What a bundle holds (its first line).</summary>
public sealed class BundleHeader
{
    public const string FormatName = "edgetelemetry-bundle";
    [JsonPropertyName("format")] public string Format { get; set; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("site")] public string Site { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";
    [JsonPropertyName("stream")] public string Stream { get; set; } = "";
    [JsonPropertyName("agent")] public string? AgentVersion { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("samples")] public long Samples { get; set; }
    [JsonPropertyName("firstSeq")] public long FirstSeq { get; set; }
    [JsonPropertyName("lastSeq")] public long LastSeq { get; set; }
}

public sealed class BundleFormatException(string message) : Exception(message);

/// <summary>One envelope in a bundle and the topic kind it would have been published on.</summary>
public sealed record BundleEntry(TopicKind Kind, byte[] Payload);

/// <summary>
/// The offline-transfer bundle (docs/offline-transfer.md): gzip'd UTF-8 lines — a JSON header, then
/// one wire envelope per line prefixed "T " (telemetry) or "E " (events), then "sha256 &lt;hex&gt;" over
/// every preceding byte. The checksum sits inside the file so a copy cannot lose it, and a
/// truncated file has none.
/// </summary>
public static class Bundle
{
    public const string Extension = ".etbundle";

    public static async Task WriteAsync(Stream output, BundleHeader header, IEnumerable<BundleEntry> entries, CancellationToken ct = default)
    {
        await using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        async Task Line(byte[] bytes)
        {
            sha.AppendData(bytes);
            await gzip.WriteAsync(bytes, ct);
        }
        await Line([.. JsonSerializer.SerializeToUtf8Bytes(header, BundleJsonContext.Default.BundleHeader), (byte)'\n']);
        foreach (var e in entries)
            await Line([(byte)(e.Kind == TopicKind.Events ? 'E' : 'T'), (byte)' ', .. e.Payload, (byte)'\n']);
        var trailer = Encoding.ASCII.GetBytes($"sha256 {Convert.ToHexStringLower(sha.GetHashAndReset())}\n");
        await gzip.WriteAsync(trailer, ct);
    }

    /// <summary>Reads and verifies a bundle; any damage is a <see cref="BundleFormatException"/> naming file and line.</summary>
    public static async Task<(BundleHeader Header, IReadOnlyList<BundleEntry> Entries)> ReadAsync(string path, CancellationToken ct = default)
    {
        byte[] content;
        try
        {
            await using var file = File.OpenRead(path);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            await gzip.CopyToAsync(buffer, ct);
            content = buffer.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException($"{path}: not a readable gzip stream ({ex.Message}); the file is damaged or truncated");
        }

        var lines = Split(content);
        if (lines.Count < 2) throw new BundleFormatException($"{path}:{lines.Count}: too short: no header or no checksum line (truncated?)");
        var last = Encoding.ASCII.GetString(lines[^1].Span);
        if (!last.StartsWith("sha256 ", StringComparison.Ordinal))
            throw new BundleFormatException($"{path}:{lines.Count}: the last line is not the sha256 checksum: the bundle is truncated");
        var covered = content.AsSpan(0, content.Length - lines[^1].Length - 1);
        var actual = Convert.ToHexStringLower(SHA256.HashData(covered));
        if (actual != last[7..].Trim())
            throw new BundleFormatException($"{path}:{lines.Count}: checksum mismatch (file says {last[7..].Trim()}, content is {actual}): the bundle is damaged");

        BundleHeader header;
        try
        {
            header = JsonSerializer.Deserialize(lines[0].Span, BundleJsonContext.Default.BundleHeader)
                ?? throw new BundleFormatException($"{path}:1: empty header");
        }
        catch (JsonException ex)
        {
            throw new BundleFormatException($"{path}:1: bad header: {ex.Message}");
        }
        if (header.Format != BundleHeader.FormatName || header.Version != 1)
            throw new BundleFormatException($"{path}:1: format '{header.Format}' version {header.Version} is not {BundleHeader.FormatName} version 1");

        var entries = new List<BundleEntry>(lines.Count - 2);
        for (var i = 1; i < lines.Count - 1; i++)
        {
            var line = lines[i].Span;
            if (line.Length < 3 || line[1] != ' ' || line[0] is not ((byte)'T' or (byte)'E'))
                throw new BundleFormatException($"{path}:{i + 1}: expected 'T <envelope>' or 'E <envelope>'");
            entries.Add(new BundleEntry(line[0] == 'E' ? TopicKind.Events : TopicKind.Telemetry, line[2..].ToArray()));
        }
        return (header, entries);
    }

    private static List<ReadOnlyMemory<byte>> Split(byte[] content)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] != '\n') continue;
            lines.Add(content.AsMemory(start, i - start));
            start = i + 1;
        }
        if (start < content.Length) lines.Add(content.AsMemory(start));
        return lines;
    }
}

[JsonSerializable(typeof(BundleHeader))]
internal sealed partial class BundleJsonContext : JsonSerializerContext;
