using System.Diagnostics;
using System.Text;
using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeTelemetry.Api.Tests.Devices;

/// <summary><c>devices enroll|list|revoke</c> against a real Mosquitto running the shipped ACL, and the registry read for Ingest:KnownDevicesOnly.</summary>
public sealed class DeviceEnrolmentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("et-enrol-").FullName;
    private string Registry => Path.Combine(_dir, "devices.json");
    private string Passwd => Path.Combine(_dir, "passwd");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_enrolled_device_publishes_and_a_revoked_or_unknown_one_is_refused_by_the_broker()
    {
        var tool = ExecutableLocator.Find("mosquitto_passwd", "EDGETELEMETRY_MOSQUITTO_PASSWD", "apt-get install mosquitto");
        using (var p = Process.Start(tool, ["-c", "-b", Passwd, "edgetelemetry-central", "pwc"])) await p.WaitForExitAsync();
        var acl = Path.Combine(_dir, "acl");
        await File.WriteAllTextAsync(acl, MosquittoConfig.ShippedAcl);
        await using var broker = await MosquittoServer.StartWithAuthAsync(new MosquittoAuth(Passwd, acl));
        string[] common = [$"--Ingest:DevicesFile={Registry}", $"--Devices:PasswdFile={Passwd}", $"--Devices:MosquittoPasswd={tool}",
            $"--Devices:ReloadCommand=kill -HUP {broker.ProcessId}", "--Devices:BrokerHost=broker.example"];

        using var piKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pemFile = Path.Combine(_dir, "dev1.pub.pem");
        await File.WriteAllTextAsync(pemFile, EdgeTelemetry.Security.EcKeyPem.PublicPem(piKey));
        var (exit, stdout, stderr) = await RunAsync(["enroll", "--site", "site1", "--device", "dev1", "--public-key", pemFile, "--reload", .. common]);
        Assert.True(exit == 0, stderr);
        var password = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("password:")).Split('"')[1];
        Assert.Contains("username: site1/dev1", stdout);
        Assert.Contains("host: broker.example", stdout);
        Assert.Contains("useTls: true", stdout);
        Assert.Equal("site1/dev1", Assert.Single(DeviceRegistry.Load(Registry)).Name);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Registry));
        Assert.Contains("site1/dev1", (await RunAsync(["list", .. common])).Stdout);
        Assert.Equal(EdgeTelemetry.Security.KeyFingerprint.Of(piKey), DeviceRegistry.Load(Registry).Single().CurrentKey?.Fingerprint);
        // Rotation, with the PEM text itself: the new key current, the old one kept as retired.
        using var newKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        Assert.Equal(0, (await RunAsync(["rotate", "--site", "site1", "--device", "dev1", "--public-key", EdgeTelemetry.Security.EcKeyPem.PublicPem(newKey), .. common])).Exit);
        var listed = (await RunAsync(["list", .. common])).Stdout;
        Assert.Contains($"key {EdgeTelemetry.Security.KeyFingerprint.Of(piKey)}\tretired", listed);
        Assert.Contains($"key {EdgeTelemetry.Security.KeyFingerprint.Of(newKey)}\tcurrent", listed);
        Assert.Equal(1, (await RunAsync(["rotate", "--site", "site1", "--device", "dev1", "--public-key", "no-such.pem", .. common])).Exit);
        // Enrolling twice would silently replace the credential on the Pi: refused.
        Assert.Equal(1, (await RunAsync(["enroll", "--site", "site1", "--device", "dev1", .. common])).Exit);

        // The reload is a SIGHUP the broker handles when it gets to it: wait for the credential to work.
        using var device = await ConnectWhenAsync(broker, "site1/dev1", password, MqttClientConnectResultCode.Success);
        // Accepted by the ACL (no subscriber here, so the broker says so instead of Success).
        Assert.Contains((await device.PublishAsync(Message("edgetelemetry/v1/site1/dev1/telemetry"))).ReasonCode,
            new[] { MqttClientPublishReasonCode.Success, MqttClientPublishReasonCode.NoMatchingSubscribers });
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await device.PublishAsync(Message("edgetelemetry/v1/site1/dev2/telemetry"))).ReasonCode);
        (await ConnectWhenAsync(broker, "site1/dev2", password, MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized)).Dispose();

        (exit, stdout, stderr) = await RunAsync(["revoke", "--site", "site1", "--device", "dev1", "--reload", .. common]);
        Assert.True(exit == 0, stderr);
        // Kept with its history, marked revoked (its batches are refused).
        var revoked = Assert.Single(DeviceRegistry.Load(Registry));
        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal(["revoked", "revoked"], revoked.Keys.Select(k => k.State));
        (await ConnectWhenAsync(broker, "site1/dev1", password, MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized)).Dispose();
        // The central service's own credential is untouched by enrolment and revocation.
        (await ConnectWhenAsync(broker, "edgetelemetry-central", "pwc", MqttClientConnectResultCode.Success)).Dispose();
    }

    [Fact]
    public async Task With_known_devices_only_the_service_refuses_a_device_missing_from_the_registry_as_unknown_device()
    {
        DeviceRegistry.Save(Registry, [new EnrolledDevice("site1", "dev1", DateTimeOffset.UtcNow)]);
        await using var app = CentralApp.Build(["--Ingest:KnownDevicesOnly=true", $"--Ingest:DevicesFile={Registry}", "--Ingest:BrokerPort=1"]);
        var ingest = app.Services.GetRequiredService<MessageIngest>();
        var now = DateTimeOffset.UtcNow;

        var enrolled = ingest.Prepare("edgetelemetry/v1/site1/dev1/telemetry", Batch("site1", "dev1", now), now);
        var unknown = ingest.Prepare("edgetelemetry/v1/site1/dev2/telemetry", Batch("site1", "dev2", now), now);

        Assert.Equal(1, enrolled.Accepted);
        Assert.Empty(enrolled.Rejections);
        Assert.Equal(0, unknown.Accepted);
        Assert.Equal(RejectReason.UnknownDevice, Assert.Single(unknown.Rejections).Reason);
    }

    private static byte[] Batch(string site, string device, DateTimeOffset t) => Encoding.UTF8.GetBytes(
        $$"""{"v":1,"site":"{{site}}","device":"{{device}}","stream":"s1","agent":"test","samples":[{"seq":1,"t":{{EdgeTelemetry.Model.Time.ToUnixNanoseconds(t)}},"m":"centrifuge","eq":"icon-1","r":[{"n":"bowl_speed","v":400,"u":"rpm"}]}]}""");

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await DeviceCommands.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task<IMqttClient> ConnectWhenAsync(MosquittoServer broker, string user, string password, params MqttClientConnectResultCode[] expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("c-" + Guid.NewGuid().ToString("N")[..8])
                .WithCredentials(user, password).WithProtocolVersion(MqttProtocolVersion.V500).Build();
            // MQTTnet 5 reports a refused CONNACK in the result.
            var code = (await client.ConnectAsync(options)).ResultCode;
            if (expected.Contains(code)) return client;
            client.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"{user}: {code}, expected {string.Join(" or ", expected)}");
            await Task.Delay(100); // polling the broker's state: SIGHUP gives no completion signal
        }
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
