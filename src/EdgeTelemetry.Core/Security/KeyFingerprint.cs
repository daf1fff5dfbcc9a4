using System.Security.Cryptography;

namespace EdgeTelemetry.Security;

/// <summary>
/// A public key's name people can compare: SHA-256 of its SubjectPublicKeyInfo DER, lowercase hex — the same value as
/// <c>openssl pkey -pubin -in key.pem -outform DER | sha256sum</c>. The only place it is computed (reports, device keys).
/// </summary>
public static class KeyFingerprint
{
    public const int HexLength = 64;
    /// <summary>Hex digits of the fingerprint a signed batch names its key by (MQTT user property <c>kid</c>).</summary>
    public const int KeyIdLength = 16;

    public static string Of(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The short key id: the fingerprint's first <see cref="KeyIdLength"/> hex digits.</summary>
    public static string KeyId(string fingerprint) => fingerprint[..KeyIdLength];

    public static bool IsWellFormed(string s) => s.Length == HexLength && s.All(char.IsAsciiHexDigitLower);
}
