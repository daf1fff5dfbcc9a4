using EdgeTelemetry.Security;
using System.Security.Cryptography;

namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>Why a report is or is not what the key signed.</summary>
public enum ReportVerdictKind
{
    Intact,
    SignatureMismatch,
    DifferentKey,
    MalformedSignatureFile,
}

public sealed record ReportVerdict(ReportVerdictKind Kind, string Message)
{
    public bool Intact => Kind == ReportVerdictKind.Intact;
}

/// <summary>Checks a report file against its detached signature file and a public key, offline.</summary>
public static class ReportVerifier
{
    public static ReportVerdict Verify(ReadOnlySpan<byte> content, string signatureFile, ECDsa key)
    {
        var fingerprint = KeyFingerprint.Of(key);
        ReportSignature signature;
        try
        {
            signature = ReportSignature.Parse(signatureFile);
        }
        catch (FormatException ex)
        {
            return new(ReportVerdictKind.MalformedSignatureFile, $"NOT intact: malformed signature file: {ex.Message}");
        }
        // The fingerprint in the file is only a hint (anyone can write one), but it tells "another key" from "changed".
        if (signature.KeyFingerprint != fingerprint)
            return new(ReportVerdictKind.DifferentKey,
                $"NOT intact: signed by a different key ({signature.KeyFingerprint}), not by key {fingerprint}; if that is an older key of this service, check with --key <its public key PEM>");
        bool valid;
        try
        {
            valid = key.VerifyData(content, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        return valid
            ? new(ReportVerdictKind.Intact, $"intact: signed by key {fingerprint}")
            : new(ReportVerdictKind.SignatureMismatch, $"NOT intact: signature mismatch: the file is not what key {fingerprint} signed (changed after signing, or another report's signature)");
    }
}
