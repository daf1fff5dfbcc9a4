using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Transfer;

/// <summary>
/// The offline-transfer bundle (docs/offline-transfer.md): a gzip'd stream of JSON lines —
/// <code>
/// {"format":"edgetelemetry-bundle","version":1,"site":…,"samples":…,"kinds":{…},…}   header
/// {"kind":"telemetry","batch":{ wire envelope, byte for byte as MQTT carries it }}
/// {"kind":"events","batch":{ … },"sig":"…","kid":"…"}                                  sig/kid: the device's signature, as over MQTT
/// {"dictionary":"base64"}                       version 2: a wire-v2 dictionary, before the batches naming it
/// {"kind":"telemetry","v2":"base64","sig":"…","kid":"…"}   version 2: a wire-v2 batch, byte for byte as MQTT carries it
/// {"sha256":"…"}                                                                       trailer
/// </code>
/// The trailer is the SHA-256 over every preceding byte of the uncompressed content, so
/// <c>zcat b.etbundle | head -n -1 | sha256sum</c> reproduces it by hand.
/// </summary>
public static class Bundle
{
    public const string Extension = ".etbundle";

    /// <summary><c>&lt;site&gt;_&lt;device&gt;_&lt;stream&gt;_&lt;firstSeq&gt;-&lt;lastSeq&gt;.etbundle</c></summary>
    public static string FileName(BundleHeader header) =>
        $"{header.Site}_{header.Device}_{header.Stream}_{header.FirstSeq}-{header.LastSeq}{Extension}";

    internal static readonly byte[] Newline = "\n"u8.ToArray();
}

/// <summary>
/// Writes a bundle line by line (nothing is held in memory beyond one envelope). The caller
/// writes the header it has counted beforehand, the envelopes, then <see cref="CompleteAsync"/>;
/// <see cref="BundleReader"/> checks that the header and the envelopes agree.
/// </summary>
public sealed class BundleWriter : IAsyncDisposable
{
    private static readonly byte[] TelemetryPrefix = "{\"kind\":\"telemetry\",\"batch\":"u8.ToArray();
    private static readonly byte[] EventsPrefix = "{\"kind\":\"events\",\"batch\":"u8.ToArray();
    private static readonly byte[] EntrySuffix = "}\n"u8.ToArray();

    private readonly GZipStream _gzip;
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _completed;

    private BundleWriter(Stream output, CompressionLevel level) => _gzip = new GZipStream(output, level, leaveOpen: true);

    /// <summary>Uncompressed bytes written so far (without the trailer).</summary>
    public long ContentBytes { get; private set; }
    public long Envelopes { get; private set; }

    public static async Task<BundleWriter> StartAsync(Stream output, BundleHeader header, CancellationToken ct = default,
        CompressionLevel level = CompressionLevel.SmallestSize)
    {
        var writer = new BundleWriter(output, level);
        await writer.AppendAsync(JsonSerializer.SerializeToUtf8Bytes(header, BundleJsonContext.Default.BundleHeader), ct);
        await writer.AppendAsync(Bundle.Newline, ct);
        return writer;
    }

    /// <summary>One wire envelope (as <see cref="BatchCodec.Encode(TelemetryBatch)"/> produced it) for the telemetry or events topic.</summary>
    /// <param name="signature">The device's signature over it (<see cref="BatchSignature"/>), written beside the envelope.</param>
    public async Task WriteEnvelopeAsync(TopicKind kind, ReadOnlyMemory<byte> envelope, CancellationToken ct = default, BatchSignatureProperties? signature = null)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var prefix = kind switch
        {
            TopicKind.Telemetry => TelemetryPrefix,
            TopicKind.Events => EventsPrefix,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a bundle carries telemetry and events only"),
        };
        if (envelope.Span.IndexOfAny((byte)'\n', (byte)'\r') >= 0) throw new ArgumentException("an envelope must be one line of JSON", nameof(envelope));
        await AppendAsync(prefix, ct);
        await AppendAsync(envelope, ct);
        await AppendSignatureAsync(signature, ct);
        await AppendAsync(EntrySuffix, ct);
        Envelopes++;
    }

    private async Task AppendSignatureAsync(BatchSignatureProperties? signature, CancellationToken ct)
    {
        if (signature is not { Signature: { } sig, KeyId: { } kid }) return;
        // base64 and hex need no JSON escaping; anything else is a caller's bug.
        if (!sig.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=') || !kid.All(char.IsAsciiHexDigit))
            throw new ArgumentException("sig must be base64 and kid hex", nameof(signature));
        await AppendAsync(System.Text.Encoding.ASCII.GetBytes($",\"sig\":\"{sig}\",\"kid\":\"{kid}\""), ct);
    }

    /// <summary>
    /// One wire-v2 batch (<c>{"kind":…,"v2":"base64"}</c>, version 2 bundles); the dictionary it names must have been
    /// written before it with <see cref="WriteDictionaryAsync"/>.
    /// </summary>
    /// <param name="signature">The device's signature over it (<see cref="BatchSignature"/>), written beside the batch.</param>
    public async Task WriteV2Async(TopicKind kind, byte[] payload, CancellationToken ct = default, BatchSignatureProperties? signature = null)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var prefix = kind switch
        {
            TopicKind.Telemetry => "{\"kind\":\"telemetry\",\"v2\":\""u8.ToArray(),
            TopicKind.Events => "{\"kind\":\"events\",\"v2\":\""u8.ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a bundle carries telemetry and events only"),
        };
        await AppendAsync(prefix, ct);
        await AppendAsync(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(payload)), ct);
        await AppendAsync("\""u8.ToArray(), ct);
        await AppendSignatureAsync(signature, ct);
        await AppendAsync(EntrySuffix, ct);
        Envelopes++;
    }

    /// <summary>A wire-v2 dictionary (<c>{"dictionary":"base64"}</c>), before the first batch that names it.</summary>
    public async Task WriteDictionaryAsync(byte[] dictionary, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        await AppendAsync("{\"dictionary\":\""u8.ToArray(), ct);
        await AppendAsync(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(dictionary)), ct);
        await AppendAsync("\"}\n"u8.ToArray(), ct);
    }

    /// <summary>Writes the checksum line and finishes the gzip stream; returns the checksum (lower-case hex).</summary>
    public async Task<string> CompleteAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;
        var sha = Convert.ToHexStringLower(_sha.GetHashAndReset());
        await _gzip.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new BundleTrailer { Sha256 = sha }, BundleJsonContext.Default.BundleTrailer), ct);
        await _gzip.WriteAsync(Bundle.Newline, ct);
        await _gzip.FlushAsync(ct);
        await _gzip.DisposeAsync(); // writes the gzip trailer (CRC-32, length)
        return sha;
    }

    private async Task AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        _sha.AppendData(bytes.Span);
        ContentBytes += bytes.Length;
        await _gzip.WriteAsync(bytes, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _gzip.DisposeAsync();
        _sha.Dispose();
    }
}
