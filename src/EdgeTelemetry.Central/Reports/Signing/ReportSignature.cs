using EdgeTelemetry.Security;
namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>
/// A detached signature over a report's exact bytes, and its file format (<c>.sig</c>): the three signature headers of
/// the HTTP answer, one <c>Name: value</c> per line —
/// <code>
/// EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256
/// EdgeTelemetry-Key-Fingerprint: &lt;64 lowercase hex: SHA-256 of the public key's SubjectPublicKeyInfo&gt;
/// EdgeTelemetry-Signature: &lt;base64 of the DER (RFC 3279) ECDSA signature over SHA-256 of the file&gt;
/// </code>
/// Names are case-insensitive and every other line is ignored, so the header dump of <c>curl -D report.json.sig</c> is
/// itself a signature file. DER, not r‖s, because that is what <c>openssl dgst -verify</c> takes.
/// </summary>
public sealed record ReportSignature(string KeyFingerprint, byte[] Signature)
{
    public const string Algorithm = "ecdsa-p256-sha256";
    public const string AlgorithmHeader = "EdgeTelemetry-Signature-Algorithm";
    public const string FingerprintHeader = "EdgeTelemetry-Key-Fingerprint";
    public const string SignatureHeader = "EdgeTelemetry-Signature";

    public string SignatureBase64 => Convert.ToBase64String(Signature);

    public string ToFileText() =>
        $"{AlgorithmHeader}: {Algorithm}\n{FingerprintHeader}: {KeyFingerprint}\n{SignatureHeader}: {SignatureBase64}\n";

    /// <summary>Reads a signature file; <see cref="FormatException"/> says what is wrong with it.</summary>
    public static ReportSignature Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var name = line[..colon].Trim();
            if (!name.Equals(AlgorithmHeader, StringComparison.OrdinalIgnoreCase) && !name.Equals(FingerprintHeader, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(SignatureHeader, StringComparison.OrdinalIgnoreCase)) continue;
            // Two values (e.g. the headers of two answers in one dump) would leave it open which one was meant.
            if (!fields.TryAdd(name, line[(colon + 1)..].Trim())) throw new FormatException($"{name} appears more than once");
        }
        var algorithm = Required(fields, AlgorithmHeader);
        if (algorithm != Algorithm) throw new FormatException($"algorithm '{algorithm}' is not {Algorithm}");
        var fingerprint = Required(fields, FingerprintHeader);
        if (!EdgeTelemetry.Security.KeyFingerprint.IsWellFormed(fingerprint)) throw new FormatException($"{FingerprintHeader} is not {EdgeTelemetry.Security.KeyFingerprint.HexLength} lowercase hex digits");
        var signature = Required(fields, SignatureHeader);
        try
        {
            return new ReportSignature(fingerprint, Convert.FromBase64String(signature));
        }
        catch (FormatException)
        {
            throw new FormatException($"{SignatureHeader} is not base64");
        }
    }

    private static string Required(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new FormatException($"no {name} line");
}
