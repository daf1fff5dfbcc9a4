using System.Net;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.Central.Reports.Signing;
using EdgeTelemetry.LineProtocol;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Reports;

/// <summary>
/// The signed mercury report as an auditor receives it: the bytes served, the signature headers saved beside them
/// (curl -D), the public key from /api/reports/key, and verify-report run offline on the files.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class SignedReportTests(InfluxFixture influx) : IAsyncLifetime
{
    private const string Url = "/api/reports/mercury?site=md-test&from=2026-03-03T10:00:00Z&to=2026-03-03T11:00:00Z";
    private static readonly DateTimeOffset T0 = At("2026-03-03T10:00:00Z");
    private readonly string _dir = Directory.CreateTempSubdirectory("et-signed-report-").FullName;
    private CentralHost _host = null!;

    private string KeyFile => Path.Combine(_dir, "report-signing-key.pem");

    public async Task InitializeAsync()
    {
        _host = await CentralHost.StartAsync(influx.Server, null, null, $"--Reports:SigningKeyFile={KeyFile}");
        await _host.WriteAsync(Enumerable.Range(0, 30).Select(m =>
            Telemetry("mercury_vapour", "hg-monitor-01", "smelting-area", T0.AddMinutes(m), m + 1, ("hg", m < 25 ? 0.25 : 12.5))));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Saves the answer's body and a header dump as curl -D does (status line, every header, CRLF).</summary>
    private async Task<(string Report, string Signature, byte[] Bytes)> SaveSignedAsync(string url, string name)
    {
        using var response = await _host.Client("technician").GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var dump = new StringBuilder($"HTTP/1.1 {(int)response.StatusCode} OK\r\n");
        foreach (var (k, v) in response.Headers.Concat(response.Content.Headers)) dump.Append($"{k}: {string.Join(", ", v)}\r\n");
        var (report, signature) = (Path.Combine(_dir, name), Path.Combine(_dir, name + ".sig"));
        await File.WriteAllBytesAsync(report, bytes);
        await File.WriteAllTextAsync(signature, dump.Append("\r\n").ToString());
        return (report, signature, bytes);
    }

    private async Task<string> SavePublicKeyAsync()
    {
        using var response = await _host.Client("technician").GetAsync("/api/reports/key?format=pem");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var path = Path.Combine(_dir, "report-key.pem");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    private static async Task<(int Exit, string Out)> VerifyReport(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await VerifyReportCommand.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString() + stderr);
    }

    private async Task<string> FingerprintAsync()
    {
        var (status, key) = await _host.Client("technician").GetJsonAsync("/api/reports/key");
        Assert.Equal(HttpStatusCode.OK, status);
        return key.Str("fingerprint")!;
    }

    [Fact]
    public async Task Served_json_bytes_verify_as_intact_with_the_public_key_from_the_key_endpoint()
    {
        var (report, signature, bytes) = await SaveSignedAsync(Url + "&format=json", "report.json");
        var key = await SavePublicKeyAsync();

        var (exit, output) = await VerifyReport(report, signature, "--key", key);

        Assert.Equal(0, exit);
        Assert.Equal($"intact: signed by key {await FingerprintAsync()}\n", output);
        Assert.Equal("md-test", JsonDocument.Parse(bytes).RootElement.Str("site")); // still the report, camelCase as before
    }

    [Fact]
    public async Task Served_csv_bytes_verify_as_intact_and_without_key_verify_report_uses_the_configured_key_file()
    {
        var (report, signature, bytes) = await SaveSignedAsync(Url + "&format=csv", "report.csv");

        var (exit, output) = await VerifyReport(report, signature, $"--Reports:SigningKeyFile={KeyFile}");

        Assert.Equal(0, exit);
        Assert.StartsWith("intact: signed by key ", output);
        Assert.StartsWith("section,device,equipment,item,value,unit,start,end\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task One_changed_byte_in_a_saved_report_is_NOT_intact_and_verify_report_exits_non_zero()
    {
        var (report, signature, bytes) = await SaveSignedAsync(Url + "&format=csv", "report.csv");
        var key = await SavePublicKeyAsync();
        var text = Encoding.UTF8.GetString(bytes);
        var at = text.IndexOf(",has_data,true,", StringComparison.Ordinal) + ",has_data,".Length;
        bytes[at] = (byte)'T'; // true → True: one byte, same meaning to a spreadsheet, not what was signed
        await File.WriteAllBytesAsync(report, bytes);

        var (exit, output) = await VerifyReport(report, signature, "--key", key);

        Assert.NotEqual(0, exit);
        Assert.StartsWith("NOT intact: signature mismatch", output);
    }

    [Fact]
    public async Task A_report_checked_against_another_services_key_is_refused_as_signed_by_a_different_key()
    {
        var (report, signature, _) = await SaveSignedAsync(Url + "&format=json", "report.json");
        var otherKey = Path.Combine(_dir, "other.pem");
        using (var other = ReportSigningKey.CreateEphemeral()) await File.WriteAllTextAsync(otherKey, other.PublicKeyPem);

        var (exit, output) = await VerifyReport(report, signature, "--key", otherKey);

        Assert.NotEqual(0, exit);
        Assert.StartsWith($"NOT intact: signed by a different key ({await FingerprintAsync()})", output);
    }

    [Fact]
    public async Task The_html_report_shows_the_signing_key_fingerprint_and_how_to_verify_in_english_and_spanish()
    {
        var fingerprint = await FingerprintAsync();
        var client = _host.Client("technician");

        // Decoded: the page encodes every non-ASCII Latin-1 letter (ó → &#243;).
        var en = WebUtility.HtmlDecode(await client.GetStringAsync(Url + "&format=html&lang=en"));
        var es = WebUtility.HtmlDecode(await client.GetStringAsync(Url + "&format=html&lang=es"));

        Assert.Contains($"<td><b>Signing key (SHA-256)</b></td><td class=\"fp\">{fingerprint}</td>", en);
        Assert.Contains("How to verify this report", en);
        Assert.Contains("edgetelemetry-central verify-report report.json report.json.sig --key report-key.pem", en);
        Assert.Contains($"“intact: signed by key {fingerprint}”", en);
        Assert.Contains($"<td><b>Clave de firma (SHA-256)</b></td><td class=\"fp\">{fingerprint}</td>", es);
        Assert.Contains("Cómo verificar este informe", es);
    }

    [Fact]
    public async Task The_key_file_is_created_0600_on_first_start_and_a_second_start_signs_with_the_same_key()
    {
        var path = Path.Combine(_dir, "fresh", "report-signing-key.pem");
        string first, second;
        var firstHost = await CentralHost.StartAsync(influx.Server, _host.Database, null, $"--Reports:SigningKeyFile={path}",
            "--Logging:LogLevel:EdgeTelemetry.Central.Reports=Information");
        await using (firstHost)
        {
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            first = (await firstHost.Client("technician").GetJsonAsync("/api/reports/key")).Body.Str("fingerprint")!;
        }
        var pem = await File.ReadAllTextAsync(path);
        var secondHost = await CentralHost.StartAsync(influx.Server, _host.Database, null, $"--Reports:SigningKeyFile={path}");
        await using (secondHost)
        {
            using var response = await secondHost.Client("technician").GetAsync(Url);
            second = response.Headers.GetValues(ReportSignature.FingerprintHeader).Single();
        }

        Assert.Equal(first, second);
        Assert.Equal(pem, await File.ReadAllTextAsync(path));
        Assert.Contains($"Created report signing key {first}", string.Join("\n", firstHost.Logs.Messages));
    }
}
