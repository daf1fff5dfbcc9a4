using System.Security.Cryptography;

namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>
/// A public key's name people can compare: SHA-256 of its SubjectPublicKeyInfo DER, lowercase hex — the same value as
/// <c>openssl pkey -pubin -in key.pem -outform DER | sha256sum</c>. The only place it is computed.
/// </summary>
public static class KeyFingerprint
{
    public const int HexLength = 64;

    public static string Of(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public static bool IsWellFormed(string s) => s.Length == HexLength && s.All(char.IsAsciiHexDigitLower);
}
