using System.Diagnostics;
using EdgeTelemetry.LocalServers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeTelemetry.LocalServers.Tests;

/// <summary>The shipped ACL (firmware-config/broker/acl) does what its comments claim.</summary>
public sealed class MosquittoAclTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetelemetry-acl-").FullName;

    [Fact]
    public async Task A_device_publishes_only_as_its_own_site_and_device_and_central_reads_through_a_shared_subscription()
    {
        var auth = await WriteAuthAsync(("site1/dev1", "pw1"), ("site1", "pws"), ("edgetelemetry-central", "pwc"));
        await using var broker = await MosquittoServer.StartWithAuthAsync(auth);

        var received = new List<string>();
        var good = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var central = new MqttClientFactory().CreateMqttClient();
        central.ApplicationMessageReceivedAsync += e =>
        {
            lock (received) received.Add(e.ApplicationMessage.Topic);
            if (e.ApplicationMessage.Topic == "edgetelemetry/v1/site1/dev1/dictionary/0123456789abcdef") good.TrySetResult(); // the last good one
            return Task.CompletedTask;
        };
        await central.ConnectAsync(Options(broker, "central-1", "edgetelemetry-central", "pwc"));
        var sub = await central.SubscribeAsync("$share/central/edgetelemetry/v1/#", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(sub.Items).ResultCode);

        using var device = new MqttClientFactory().CreateMqttClient();
        await device.ConnectAsync(Options(broker, "dev1", "site1/dev1", "pw1"));
        // Another device of the same site, the same device id at another site, a deeper topic.
        foreach (var forged in new[] { "edgetelemetry/v1/site1/dev2/telemetry", "edgetelemetry/v1/site2/dev1/telemetry", "edgetelemetry/v1/site1/dev1/x/telemetry",
                     "edgetelemetry/v1/site1/dev2/dictionary/0123456789abcdef", "edgetelemetry/v1/site1/dev1/dictionary/0123456789abcdef/x" })
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await device.PublishAsync(Message(forged))).ReasonCode);
        // A one-level user name (a site alone) reaches no device topic of that site.
        using var siteWide = new MqttClientFactory().CreateMqttClient();
        await siteWide.ConnectAsync(Options(broker, "site1", "site1", "pws"));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await siteWide.PublishAsync(Message("edgetelemetry/v1/site1/dev1/telemetry"))).ReasonCode);

        Assert.Equal(MqttClientPublishReasonCode.Success, (await device.PublishAsync(Message("edgetelemetry/v1/site1/dev1/telemetry"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await device.PublishAsync(Message("edgetelemetry/v1/site1/dev1/events"))).ReasonCode);
        // Its own wire-v2 dictionaries.
        Assert.Equal(MqttClientPublishReasonCode.Success, (await device.PublishAsync(Message("edgetelemetry/v1/site1/dev1/dictionary/0123456789abcdef"))).ReasonCode);

        // Same connections, in order: had a forged message got through, it would already be here.
        await good.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (received) Assert.Equal(["edgetelemetry/v1/site1/dev1/telemetry", "edgetelemetry/v1/site1/dev1/events", "edgetelemetry/v1/site1/dev1/dictionary/0123456789abcdef"], received);
    }

    [Fact]
    public async Task A_device_reads_only_its_own_receipts_and_only_the_central_service_writes_receipts()
    {
        var auth = await WriteAuthAsync(("site1/dev1", "pw1"), ("edgetelemetry-central", "pwc"));
        await using var broker = await MosquittoServer.StartWithAuthAsync(auth);

        var received = new List<string>();
        var own = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var device = new MqttClientFactory().CreateMqttClient();
        device.ApplicationMessageReceivedAsync += e =>
        {
            lock (received) received.Add(e.ApplicationMessage.Topic);
            if (e.ApplicationMessage.Topic == "edgetelemetry/v1/site1/dev1/receipts") own.TrySetResult();
            return Task.CompletedTask;
        };
        await device.ConnectAsync(Options(broker, "dev1", "site1/dev1", "pw1"));
        // Its own receipts and the announcement, another device's receipts, everyone's.
        await device.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("edgetelemetry/v1/_central/capabilities", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("edgetelemetry/v1/site1/dev2/receipts", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("edgetelemetry/v1/+/+/receipts", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("edgetelemetry/v1/site1/dev1/receipts", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        // A device cannot forge receipts or the announcement, not even its own.
        foreach (var forged in new[] { "edgetelemetry/v1/site1/dev1/receipts", "edgetelemetry/v1/site1/dev2/receipts", "edgetelemetry/v1/_central/capabilities" })
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await device.PublishAsync(Message(forged))).ReasonCode);

        using var central = new MqttClientFactory().CreateMqttClient();
        await central.ConnectAsync(Options(broker, "central-1", "edgetelemetry-central", "pwc"));
        foreach (var topic in new[] { "edgetelemetry/v1/_central/capabilities", "edgetelemetry/v1/site1/dev2/receipts", "edgetelemetry/v1/site1/dev1/receipts" })
            Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, (await central.PublishAsync(Message(topic))).ReasonCode);

        // Published last, on one connection: anything the device may not read would already be here.
        await own.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (received) Assert.DoesNotContain("edgetelemetry/v1/site1/dev2/receipts", received);
        lock (received) Assert.Contains("edgetelemetry/v1/_central/capabilities", received);
    }

    [Fact]
    public async Task Anonymous_and_wrong_password_clients_are_refused()
    {
        var auth = await WriteAuthAsync(("site1/dev1", "pw1"));
        await using var broker = await MosquittoServer.StartWithAuthAsync(auth);

        foreach (var (user, password) in new (string?, string?)[] { (null, null), ("site1/dev1", "wrong") })
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            // MQTTnet 5 reports a refused CONNACK in the result (older versions threw).
            var result = await client.ConnectAsync(Options(broker, "x", user, password));
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
            Assert.False(client.IsConnected);
        }
    }

    private async Task<MosquittoAuth> WriteAuthAsync(params (string User, string Password)[] users)
    {
        var passwd = Path.Combine(_dir, "passwd");
        var tool = ExecutableLocator.Find("mosquitto_passwd", "EDGETELEMETRY_MOSQUITTO_PASSWD", "apt-get install mosquitto");
        var first = true;
        foreach (var (user, password) in users)
        {
            using var p = Process.Start(tool, first ? ["-c", "-b", passwd, user, password] : ["-b", passwd, user, password]);
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
            first = false;
        }
        var acl = Path.Combine(_dir, "acl");
        await File.WriteAllTextAsync(acl, MosquittoConfig.ShippedAcl);
        return new MosquittoAuth(passwd, acl);
    }

    private static MqttClientOptions Options(MosquittoServer broker, string clientId, string? user, string? password)
    {
        var b = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(clientId);
        return (user is null ? b : b.WithCredentials(user, password)).Build();
    }

    private static MqttApplicationMessage Message(string topic) => new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload("1").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
