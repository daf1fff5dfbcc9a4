using EdgeTelemetry.Security;
using System.Security.Cryptography;
using EdgeTelemetry.Central.Devices;

namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>
/// <c>edgetelemetry-central verify-report &lt;file&gt; &lt;signature&gt; [--key &lt;public key PEM&gt;]</c>: is a saved
/// report (JSON, CSV or HTML) exactly what the service's key signed? Works offline; without --key it takes the public
/// part of the configured Reports:SigningKeyFile. Exit 0 intact, 1 not intact, 2 cannot check (usage, unreadable input).
/// </summary>
public static class VerifyReportCommand
{
    public const string Usage =
        "usage: edgetelemetry-central verify-report <report file> <signature file> [--key <public key PEM>] [--Reports:SigningKeyFile=…]\n" +
        "       the signature file is the EdgeTelemetry-Signature* headers of the answer, e.g. saved with: curl -D report.json.sig -o report.json <report URL>";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var positional = new List<string>();
        var configArgs = new List<string>();
        string? keyFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--key" && i + 1 < args.Length) keyFile = args[++i];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) configArgs.Add(args[i]);
            else positional.Add(args[i]);
        }
        if (positional.Count != 2)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        var (reportPath, signaturePath) = (positional[0], positional[1]);
        if (keyFile is null)
        {
            keyFile = CommandConfiguration.Build([.. configArgs])[$"{ReportSigningOptions.Section}:{nameof(ReportSigningOptions.SigningKeyFile)}"];
            if (string.IsNullOrWhiteSpace(keyFile))
            {
                await stderr.WriteLineAsync("verify-report: no key: pass --key <public key PEM> (GET /api/reports/key?format=pem) or set Reports:SigningKeyFile");
                return 2;
            }
        }

        byte[] content;
        string signature;
        ECDsa key;
        try
        {
            content = await File.ReadAllBytesAsync(reportPath, ct);
            signature = await File.ReadAllTextAsync(signaturePath, ct);
            key = EcKeyPem.Read(keyFile, needPrivate: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"verify-report: cannot check: {ex.Message}");
            return 2;
        }
        using (key)
        {
            var verdict = ReportVerifier.Verify(content, signature, key);
            await stdout.WriteLineAsync(verdict.Message);
            return verdict.Intact ? 0 : 1;
        }
    }
}
