using EdgeTelemetry.Security;
using System.Security.Cryptography;
using System.Text;
using EdgeTelemetry.Central.Reports.Signing;

namespace EdgeTelemetry.Central.Tests.Reports.Signing;

public class ReportVerifierTests
{
    // Made with openssl (genpkey P-256, pkey -pubout); the fingerprint is `openssl pkey -pubin -in pub.pem -outform DER | sha256sum`.
    private const string OpensslPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHcIXTbrT0DIUlTQWitRBIL8XpWK8
        rcNWwM3sc/dHiKl//Y3v/LvuAAmqO85zBXVkHG/lMgCRXvDeohO00pL8Og==
        -----END PUBLIC KEY-----
        """;
    private const string OpensslFingerprint = "a44d2bd241cae376b4d9b7db8749d5fe0f4d9a714536c498b419325a5786a1b6";

    private static readonly byte[] Report = Encoding.UTF8.GetBytes("section,device,equipment,item,value,unit,start,end\nreport,,,site,md-test,,2026-03-03T10:00:00Z,2026-03-03T11:00:00Z\n");

    private static ECDsa PublicKeyOf(ReportSigningKey key)
    {
        var pub = ECDsa.Create();
        pub.ImportFromPem(key.PublicKeyPem);
        return pub;
    }

    [Fact]
    public void The_fingerprint_is_sha256_of_the_subject_public_key_info_as_openssl_computes_it()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(OpensslPublicKey);

        Assert.Equal(OpensslFingerprint, KeyFingerprint.Of(key));
    }

    [Fact]
    public void A_report_verifies_as_intact_with_the_key_that_signed_it()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);

        var verdict = ReportVerifier.Verify(Report, signer.Sign(Report).ToFileText(), pub);

        Assert.Equal(ReportVerdictKind.Intact, verdict.Kind);
        Assert.Equal($"intact: signed by key {signer.Fingerprint}", verdict.Message);
    }

    [Fact]
    public void One_changed_byte_anywhere_in_the_report_is_a_signature_mismatch()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);
        var sig = signer.Sign(Report).ToFileText();

        foreach (var i in new[] { 0, Report.Length / 2, Report.Length - 1 })
        {
            var changed = Report.ToArray();
            changed[i] ^= 0x01;
            var verdict = ReportVerifier.Verify(changed, sig, pub);
            Assert.Equal(ReportVerdictKind.SignatureMismatch, verdict.Kind);
            Assert.StartsWith("NOT intact: signature mismatch", verdict.Message);
        }
    }

    [Fact]
    public void A_signature_by_another_key_is_refused_naming_both_keys()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var other = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);

        var verdict = ReportVerifier.Verify(Report, other.Sign(Report).ToFileText(), pub);

        Assert.Equal(ReportVerdictKind.DifferentKey, verdict.Kind);
        Assert.Contains(other.Fingerprint, verdict.Message);
        Assert.Contains(signer.Fingerprint, verdict.Message);
    }

    [Fact]
    public void A_signature_by_another_key_that_claims_this_keys_fingerprint_is_still_refused()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var other = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);
        var forged = other.Sign(Report) with { KeyFingerprint = signer.Fingerprint };

        Assert.Equal(ReportVerdictKind.SignatureMismatch, ReportVerifier.Verify(Report, forged.ToFileText(), pub).Kind);
    }

    private static (string File, string Why)[] MalformedFiles(string fingerprint, string signature) =>
    [
        ("", "no EdgeTelemetry-Signature-Algorithm line"),
        ("not a signature file at all", "no EdgeTelemetry-Signature-Algorithm line"),
        ($"EdgeTelemetry-Signature-Algorithm: rsa-sha1\nEdgeTelemetry-Key-Fingerprint: {fingerprint}\nEdgeTelemetry-Signature: {signature}", "algorithm 'rsa-sha1' is not ecdsa-p256-sha256"),
        ($"EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\nEdgeTelemetry-Signature: {signature}", "no EdgeTelemetry-Key-Fingerprint line"),
        ($"EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\nEdgeTelemetry-Key-Fingerprint: {fingerprint}", "no EdgeTelemetry-Signature line"),
        ($"EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\nEdgeTelemetry-Key-Fingerprint: ABCD\nEdgeTelemetry-Signature: {signature}", "EdgeTelemetry-Key-Fingerprint is not 64 lowercase hex digits"),
        ($"EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\nEdgeTelemetry-Key-Fingerprint: {fingerprint}\nEdgeTelemetry-Signature: not*base64", "EdgeTelemetry-Signature is not base64"),
        ($"EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\nEdgeTelemetry-Key-Fingerprint: {fingerprint}\nEdgeTelemetry-Signature: {signature}\nEdgeTelemetry-Signature: {signature}", "EdgeTelemetry-Signature appears more than once"),
    ];

    [Fact]
    public void A_malformed_signature_file_is_reported_with_what_is_wrong_not_thrown()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);
        var good = signer.Sign(Report);

        foreach (var (file, why) in MalformedFiles(signer.Fingerprint, good.SignatureBase64))
        {
            var verdict = ReportVerifier.Verify(Report, file, pub);
            Assert.Equal(ReportVerdictKind.MalformedSignatureFile, verdict.Kind);
            Assert.Equal($"NOT intact: malformed signature file: {why}", verdict.Message);
        }
    }

    [Fact]
    public void A_signature_that_is_base64_but_not_an_ecdsa_signature_is_a_mismatch_not_a_crash()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);
        var garbage = new ReportSignature(signer.Fingerprint, [0x30, 0x03, 0x02, 0x01]);

        Assert.Equal(ReportVerdictKind.SignatureMismatch, ReportVerifier.Verify(Report, garbage.ToFileText(), pub).Kind);
    }

    [Fact]
    public void The_header_dump_curl_saves_with_D_is_a_signature_file()
    {
        using var signer = ReportSigningKey.CreateEphemeral();
        using var pub = PublicKeyOf(signer);
        var s = signer.Sign(Report);
        // curl -D writes the status line and every header, CRLF-terminated; header names arrive in any case (HTTP/2: lower).
        var dump = "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\nDate: Tue, 03 Mar 2026 11:00:00 GMT\r\n" +
                   $"edgetelemetry-signature-algorithm: ecdsa-p256-sha256\r\nEdgeTelemetry-Key-Fingerprint: {s.KeyFingerprint}\r\nEDGETELEMETRY-SIGNATURE: {s.SignatureBase64}\r\n\r\n";

        Assert.True(ReportVerifier.Verify(Report, dump, pub).Intact);
    }
}
