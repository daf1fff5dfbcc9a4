using EdgeTelemetry.Security;
using EdgeTelemetry.Central.Reports.Signing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Tests.Reports.Signing;

public class ReportSigningKeyTests
{
    private static ReportSigningKey LoadOrCreate(string? path) =>
        ReportSigningKey.LoadOrCreate(Options.Create(new ReportSigningOptions { SigningKeyFile = path }), NullLogger<ReportSigningKey>.Instance);

    [Fact]
    public void A_missing_key_file_is_created_owner_only_and_the_next_load_signs_with_the_same_key()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "keys", "report-signing-key.pem");

        string first;
        using (var created = LoadOrCreate(path)) first = created.Fingerprint;
        var pem = File.ReadAllText(path);
        using var loaded = LoadOrCreate(path);

        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem); // PKCS#8
        Assert.Equal(first, loaded.Fingerprint);
        Assert.Equal(pem, File.ReadAllText(path));
        Assert.Equal(["report-signing-key.pem"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temp file left
    }

    [Fact]
    public void A_key_file_that_is_not_a_p256_private_key_stops_the_start_naming_the_file()
    {
        using var dir = new TempDir();
        var notAKey = dir.File("garbage.pem");
        File.WriteAllText(notAKey, "hello");
        var publicOnly = dir.File("public.pem");
        using (var k = ReportSigningKey.CreateEphemeral()) File.WriteAllText(publicOnly, k.PublicKeyPem);

        Assert.Contains(notAKey, Assert.Throws<InvalidOperationException>(() => LoadOrCreate(notAKey)).Message);
        Assert.Contains("private key", Assert.Throws<InvalidOperationException>(() => LoadOrCreate(publicOnly)).Message);
    }

    [Fact]
    public void Without_a_key_file_the_service_still_signs_with_a_key_of_its_own()
    {
        using var key = LoadOrCreate(null);

        Assert.True(KeyFingerprint.IsWellFormed(key.Fingerprint));
    }
}
