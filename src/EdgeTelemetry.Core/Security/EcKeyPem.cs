using System.Security.Cryptography;

namespace EdgeTelemetry.Security;

/// <summary>Reads the ECDSA P-256 key PEMs reports and device batches are signed and checked with.</summary>
public static class EcKeyPem
{
    /// <summary>
    /// A key from a PEM file: a public key ("PUBLIC KEY") or a private key, whose public part is all a check needs.
    /// <see cref="InvalidOperationException"/> names the file and what is wrong.
    /// </summary>
    public static ECDsa Read(string path, bool needPrivate)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{path}: not {What(needPrivate)}: {ex.Message}", ex);
        }
        return Parse(text, needPrivate, path);
    }

    /// <summary>A key from PEM text (<paramref name="source"/> names it in the error).</summary>
    public static ECDsa Parse(string pem, bool needPrivate, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var p = key.ExportParameters(includePrivateParameters: false);
            if (p.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new CryptographicException($"the key is not on the P-256 curve ({p.Curve.Oid?.FriendlyName ?? p.Curve.Oid?.Value ?? "explicit curve"})");
            if (needPrivate) key.ExportParameters(includePrivateParameters: true); // a public-only PEM throws here
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source}: not {What(needPrivate)}: {ex.Message}", ex);
        }
    }

    /// <summary>The public half as SubjectPublicKeyInfo PEM ("PUBLIC KEY"), what openssl and enrolment take; ends in a newline.</summary>
    public static string PublicPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem() + "\n";

    private static string What(bool needPrivate) => needPrivate ? "an ECDSA P-256 private key PEM" : "an ECDSA P-256 key PEM";
}
