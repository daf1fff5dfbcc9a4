using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeTelemetry.Wire;

/// <summary>
/// A device's signature over one batch (docs/wire-protocol.md, "Signed batches"): ECDSA P-256 over SHA-256 of a
/// small canonical header naming the batch's origin and sequence range, followed by the exact payload bytes (v1 JSON
/// or wire v2 alike). It travels in MQTT v5 user properties, so the payload encodings stay as they are. The header
/// binds what a payload alone does not: the topic's site and device (v2 payloads do not carry them), so a batch
/// signed for one device cannot be replayed as another's.
/// </summary>
public static class BatchSignature
{
    /// <summary>MQTT user property: base64 of the DER (RFC 3279) ECDSA signature.</summary>
    public const string SignatureProperty = "sig";
    /// <summary>MQTT user property: the first 16 hex digits of the signing key's fingerprint.</summary>
    public const string KeyIdProperty = "kid";
    public const string Domain = "edgetelemetry-batch-v1";

    /// <summary>
    /// SHA-256 over <c>"edgetelemetry-batch-v1\n{site}\n{device}\n{stream}\n{firstSeq}-{lastSeq}\n"</c> + payload, where
    /// first/last are the smallest and largest sequence number of the batch's samples.
    /// </summary>
    public static byte[] Digest(string site, string device, string stream, long firstSeq, long lastSeq, ReadOnlySpan<byte> payload)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Domain}\n{site}\n{device}\n{stream}\n{firstSeq}-{lastSeq}\n")));
        hash.AppendData(payload);
        return hash.GetHashAndReset();
    }

    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> digest) => key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);

    public static bool Verify(ECDsa key, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key.VerifyHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false; // not a DER signature at all
        }
    }

    /// <summary>The sequence range the header names: smallest and largest seq.</summary>
    public static (long First, long Last) SeqRange(IEnumerable<long> seqs)
    {
        long first = long.MaxValue, last = long.MinValue;
        foreach (var s in seqs)
        {
            if (s < first) first = s;
            if (s > last) last = s;
        }
        return first > last ? (0, 0) : (first, last);
    }
}

/// <summary>A received batch's signature properties as they came (either may be missing or malformed).</summary>
public sealed record BatchSignatureProperties(string? Signature, string? KeyId)
{
    public static readonly BatchSignatureProperties None = new(null, null);
    public bool IsPresent => Signature is not null || KeyId is not null;
}
