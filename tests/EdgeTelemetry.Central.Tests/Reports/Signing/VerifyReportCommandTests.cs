using System.Text;
using EdgeTelemetry.Central.Reports.Signing;

namespace EdgeTelemetry.Central.Tests.Reports.Signing;

/// <summary><c>verify-report</c> as an auditor runs it: files on disk, a verdict on stdout, the exit code.</summary>
public sealed class VerifyReportCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ReportSigningKey _key = ReportSigningKey.CreateEphemeral();
    private readonly string _report, _signature, _publicKey;

    public VerifyReportCommandTests()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"site":"md-test","hasData":true,"summary":"50 valid readings"}""");
        _report = _dir.File("report.json");
        _signature = _dir.File("report.json.sig");
        _publicKey = _dir.File("report-key.pem");
        File.WriteAllBytes(_report, bytes);
        File.WriteAllText(_signature, _key.Sign(bytes).ToFileText());
        File.WriteAllText(_publicKey, _key.PublicKeyPem);
    }

    public void Dispose()
    {
        _key.Dispose();
        _dir.Dispose();
    }

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var exit = await VerifyReportCommand.RunAsync(args, o, e);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task An_unchanged_report_is_intact_signed_by_the_key_and_exits_0()
    {
        var (exit, stdout, _) = await Run(_report, _signature, "--key", _publicKey);

        Assert.Equal(0, exit);
        Assert.Equal($"intact: signed by key {_key.Fingerprint}\n", stdout);
    }

    [Fact]
    public async Task One_changed_byte_in_the_report_file_is_NOT_intact_and_exits_non_zero()
    {
        var bytes = File.ReadAllBytes(_report);
        bytes[Array.IndexOf(bytes, (byte)'5')] = (byte)'6'; // "50 valid readings" → "60 valid readings"
        File.WriteAllBytes(_report, bytes);

        var (exit, stdout, _) = await Run(_report, _signature, "--key", _publicKey);

        Assert.NotEqual(0, exit);
        Assert.StartsWith("NOT intact: signature mismatch", stdout);
    }

    [Fact]
    public async Task A_signature_by_another_key_is_NOT_intact_and_says_so()
    {
        using var other = ReportSigningKey.CreateEphemeral();
        File.WriteAllText(_signature, other.Sign(File.ReadAllBytes(_report)).ToFileText());

        var (exit, stdout, _) = await Run(_report, _signature, "--key", _publicKey);

        Assert.NotEqual(0, exit);
        Assert.StartsWith($"NOT intact: signed by a different key ({other.Fingerprint}), not by key {_key.Fingerprint}", stdout);
    }

    [Fact]
    public async Task A_malformed_signature_file_is_NOT_intact_with_the_reason_not_a_crash()
    {
        File.WriteAllText(_signature, "EdgeTelemetry-Signature-Algorithm: ecdsa-p256-sha256\n");

        var (exit, stdout, _) = await Run(_report, _signature, "--key", _publicKey);

        Assert.Equal(1, exit);
        Assert.Equal("NOT intact: malformed signature file: no EdgeTelemetry-Key-Fingerprint line\n", stdout);
    }

    [Fact]
    public async Task Without_key_it_checks_with_the_public_part_of_the_configured_signing_key_file()
    {
        var keyFile = _dir.File("report-signing-key.pem");
        using (var configured = ReportSigningKey.LoadOrCreate(
                   Microsoft.Extensions.Options.Options.Create(new ReportSigningOptions { SigningKeyFile = keyFile }),
                   Microsoft.Extensions.Logging.Abstractions.NullLogger<ReportSigningKey>.Instance))
            File.WriteAllText(_signature, configured.Sign(File.ReadAllBytes(_report)).ToFileText());

        var (exit, stdout, _) = await Run(_report, _signature, $"--Reports:SigningKeyFile={keyFile}");

        Assert.Equal(0, exit);
        Assert.StartsWith("intact: signed by key ", stdout);
    }

    [Fact]
    public async Task Missing_files_or_arguments_cannot_be_checked_and_exit_2_with_a_message()
    {
        var (noSig, _, err1) = await Run(_report, _dir.File("nope.sig"), "--key", _publicKey);
        var (noKey, _, err2) = await Run(_report, _signature, "--key", _dir.File("nope.pem"));
        var (usage, _, err3) = await Run(_report);

        Assert.Equal((2, 2, 2), (noSig, noKey, usage));
        Assert.Contains("nope.sig", err1);
        Assert.Contains("nope.pem", err2);
        Assert.StartsWith("usage: edgetelemetry-central verify-report", err3);
    }
}
