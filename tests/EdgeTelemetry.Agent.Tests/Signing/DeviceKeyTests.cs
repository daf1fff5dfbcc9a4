using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Signing;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace EdgeTelemetry.Agent.Tests.Signing;

/// <summary>The device key on the Pi: created once (0600) beside the buffer, never replaced unless asked, and what every batch is signed with.</summary>
public sealed class DeviceKeyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private AgentOptions Options() => new() { Site = "site-a", Device = "dev-1", Buffer = new BufferOptions { Path = _dir.File("buffer.db") } };

    [Fact]
    public void The_key_is_created_owner_only_beside_the_buffer_on_first_start_and_the_same_key_is_used_after_a_restart()
    {
        string first;
        using (var signer = BatchSigner.Create(Options(), NullLogger<BatchSigner>.Instance)) first = signer.Key!.Fingerprint;
        var path = _dir.File("device-key.pem");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        using var again = BatchSigner.Create(Options(), NullLogger<BatchSigner>.Instance);
        Assert.Equal(first, again.Key!.Fingerprint);
    }

    [Fact]
    public void Keygen_refuses_to_replace_an_existing_key_and_replaces_it_only_with_force()
    {
        string[] where = [$"--Agent:Buffer:Path={_dir.File("buffer.db")}"];
        var (exit, stdout, _) = Run(["keygen", .. where]);
        Assert.Equal(0, exit);
        var created = Fingerprint(stdout);
        var pem = File.ReadAllText(_dir.File("device-key.pem"));

        var (refused, _, stderr) = Run(["keygen", .. where]);
        Assert.Equal(1, refused);
        Assert.Contains("--force", stderr);
        Assert.Equal(pem, File.ReadAllText(_dir.File("device-key.pem")));

        var (forced, forcedOut, _) = Run(["keygen", "--force", .. where]);
        Assert.Equal(0, forced);
        Assert.NotEqual(created, Fingerprint(forcedOut));
        Assert.Equal(Fingerprint(forcedOut), Fingerprint(Run(["key", "show", .. where]).Stdout));
    }

    [Fact]
    public void Key_show_prints_the_public_key_and_the_fingerprint_of_its_subject_public_key_info()
    {
        string[] where = [$"--Agent:Signing:KeyFile={_dir.File("k.pem")}"];
        Assert.Equal(1, Run(["key", "show", .. where]).Exit); // no key yet: says so
        Run(["keygen", .. where]);
        var (exit, stdout, _) = Run(["key", "show", .. where]);
        Assert.Equal(0, exit);
        using var key = EcKeyPem.Parse(stdout[stdout.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)..], needPrivate: false, "stdout");
        Assert.Equal(KeyFingerprint.Of(key), Fingerprint(stdout));
        Assert.DoesNotContain("PRIVATE", stdout);
    }

    [Fact]
    public void A_signed_message_carries_sig_and_kid_that_verify_over_the_header_and_the_exact_payload()
    {
        using var signer = BatchSigner.Create(Options(), NullLogger<BatchSigner>.Instance);
        var payload = "{\"v\":1}"u8.ToArray();
        var builder = new MqttApplicationMessageBuilder().WithTopic("t").WithPayload(payload);
        signer.Sign(builder, "site-a", "dev-1", "s-1", [7, 5, 6], payload);
        var message = builder.Build();
        string Property(string name) => System.Text.Encoding.ASCII.GetString(message.UserProperties.Single(p => p.Name == name).ValueBuffer.Span);

        Assert.Equal(signer.Key!.KeyId, Property(BatchSignature.KeyIdProperty));
        using var key = EcKeyPem.Parse(signer.Key.PublicKeyPem, needPrivate: false, "public");
        var digest = BatchSignature.Digest("site-a", "dev-1", "s-1", 5, 7, payload);
        Assert.True(BatchSignature.Verify(key, digest, Convert.FromBase64String(Property(BatchSignature.SignatureProperty))));
        Assert.Equal(payload, System.Buffers.BuffersExtensions.ToArray(message.Payload)); // the payload itself is untouched
    }

    [Fact]
    public void Key_bench_times_a_one_second_and_a_backlog_batch_and_refuses_a_bad_count()
    {
        var (exit, stdout, _) = Run(["key", "bench", "--batches", "3"]);
        Assert.Equal(0, exit);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("| 7 samples", StringComparison.Ordinal) || l.StartsWith("| 200 samples", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(double.Parse(r.Split('|')[3], System.Globalization.CultureInfo.InvariantCulture) > 0, r));
        Assert.Equal(2, Run(["key", "bench", "--batches", "0"]).Exit);
    }

    private static string Fingerprint(string stdout) => stdout.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..];

    private static (int Exit, string Stdout, string Stderr) Run(string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = KeyCommands.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
