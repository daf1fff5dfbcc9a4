using System.Security.Cryptography;

namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>Reads the P-256 key PEM files reports are signed and checked with.</summary>
public static class ReportKeys
{
    /// <summary>
    /// A key from a PEM file: a public key ("PUBLIC KEY") or a private key, whose public part is all a check needs.
    /// <see cref="InvalidOperationException"/> names the file and what is wrong.
    /// </summary>
    public static ECDsa Read(string path, bool needPrivate)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            var p = key.ExportParameters(includePrivateParameters: false);
            if (p.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new CryptographicException($"the key is not on the P-256 curve ({p.Curve.Oid?.FriendlyName ?? p.Curve.Oid?.Value ?? "explicit curve"})");
            if (needPrivate) key.ExportParameters(includePrivateParameters: true); // a public-only PEM throws here
            return key;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            key.Dispose();
            var what = needPrivate ? "an ECDSA P-256 private key PEM" : "an ECDSA P-256 key PEM";
            throw new InvalidOperationException($"{path}: not {what}: {ex.Message}", ex);
        }
    }
}
