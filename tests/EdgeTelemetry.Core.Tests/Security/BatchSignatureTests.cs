using System.Security.Cryptography;
using System.Text;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Core.Tests.Security;

public class BatchSignatureTests
{
    [Fact]
    public void The_digest_is_sha256_of_the_documented_header_followed_by_the_payload()
    {
        var payload = "{\"v\":1}"u8.ToArray();
        var expected = SHA256.HashData([.. Encoding.UTF8.GetBytes("edgetelemetry-batch-v1\nsite-a\ndev-1\ns-1\n1-200\n"), .. payload]);
        Assert.Equal(expected, BatchSignature.Digest("site-a", "dev-1", "s-1", 1, 200, payload));
    }

    [Fact]
    public void A_signature_verifies_only_for_the_same_origin_range_and_bytes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = new byte[] { 2, 0, 1, 2, 3 };
        var signature = BatchSignature.Sign(key, BatchSignature.Digest("s", "d", "x", 1, 5, payload));
        Assert.True(BatchSignature.Verify(key, BatchSignature.Digest("s", "d", "x", 1, 5, payload), signature));
        Assert.False(BatchSignature.Verify(key, BatchSignature.Digest("s", "d2", "x", 1, 5, payload), signature));
        Assert.False(BatchSignature.Verify(key, BatchSignature.Digest("s", "d", "x", 1, 6, payload), signature));
        Assert.False(BatchSignature.Verify(key, BatchSignature.Digest("s", "d", "x", 1, 5, [2, 0, 1, 2, 4]), signature));
        Assert.False(BatchSignature.Verify(key, BatchSignature.Digest("s", "d", "x", 1, 5, payload), [0x30, 0x01]));
    }

    [Fact]
    public void The_key_id_is_the_fingerprints_first_16_hex_digits_and_the_fingerprint_is_over_the_subject_public_key_info()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var fingerprint = KeyFingerprint.Of(key);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), fingerprint);
        Assert.Equal(fingerprint[..16], KeyFingerprint.KeyId(fingerprint));
        using var fromPem = EcKeyPem.Parse(EcKeyPem.PublicPem(key), needPrivate: false, "pem");
        Assert.Equal(fingerprint, KeyFingerprint.Of(fromPem));
    }
}
