using System.Diagnostics;
using System.Text;
using EdgeTelemetry.LocalServers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.LocalServers.Tests;

public sealed class MosquittoServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_brokers_run_side_by_side_on_different_ports()
    {
        await using var a = await MosquittoServer.StartAsync();
        await using var b = await MosquittoServer.StartAsync();

        Assert.NotEqual(a.Port, b.Port);
        Assert.True(a.IsRunning && b.IsRunning);
        using var ca = await ConnectAsync(a, "side-a");
        using var cb = await ConnectAsync(b, "side-b");
        Assert.True(ca.IsConnected && cb.IsConnected);
    }

    [Fact]
    public async Task Retained_message_survives_stop_and_start_again_on_the_same_port()
    {
        var sw = Stopwatch.StartNew();
        await using var broker = await MosquittoServer.StartAsync();
        output.WriteLine($"mosquitto start: {sw.ElapsedMilliseconds} ms");
        var port = broker.Port;

        using (var publisher = await ConnectAsync(broker, "retain-pub"))
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic("edgetelemetry/v1/site/dev1/status").WithPayload("online")
                .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await publisher.DisconnectAsync();
        }

        sw.Restart();
        await broker.StopAsync();
        output.WriteLine($"mosquitto stop (SIGTERM, persistence saved): {sw.ElapsedMilliseconds} ms");
        Assert.False(broker.IsRunning);
        Assert.True(File.Exists(Path.Combine(broker.DataDir, "mosquitto.db")));

        sw.Restart();
        await broker.StartAgainAsync();
        output.WriteLine($"mosquitto start again: {sw.ElapsedMilliseconds} ms");
        Assert.Equal(port, broker.Port);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscriber = await ConnectAsync(broker, "retain-sub", m => received.TrySetResult(m.ConvertPayloadToString()));
        await subscriber.SubscribeAsync("edgetelemetry/v1/site/dev1/status", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("online", await received.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Persistent_session_queue_holds_more_than_mosquittos_default_1000_across_a_restart()
    {
        // The central service's situation while InfluxDB is down: its session is offline, agents keep
        // publishing. With Mosquitto's default max_queued_messages (1000) most of this would be dropped.
        const int count = 1500;
        const string topic = "edgetelemetry/v1/site/dev1/readings";
        await using var broker = await MosquittoServer.StartAsync();
        var sessionOptions = Options(broker, "central-1").WithCleanStart(false).WithSessionExpiryInterval(3600);
        using (var central = new MqttClientFactory().CreateMqttClient())
        {
            await central.ConnectAsync(sessionOptions.Build());
            await central.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            await central.DisconnectAsync();
        }
        using (var agent = await ConnectAsync(broker, "dev1"))
        {
            for (var i = 0; i < count; i++)
            {
                await agent.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(i.ToString())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
            await agent.DisconnectAsync();
        }
        await broker.StopAsync(); // the queue must be in the persistence file, too
        await broker.StartAgainAsync();

        var seen = new HashSet<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var again = new MqttClientFactory().CreateMqttClient();
        again.ApplicationMessageReceivedAsync += e =>
        {
            lock (seen)
            {
                seen.Add(e.ApplicationMessage.ConvertPayloadToString());
                if (seen.Count == count) all.TrySetResult();
            }
            return Task.CompletedTask;
        };
        var connack = await again.ConnectAsync(sessionOptions.Build());
        Assert.True(connack.IsSessionPresent);
        await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        lock (seen) Assert.Equal(count, seen.Count);
    }

    [Fact]
    public async Task Generated_config_carries_the_shipped_limits()
    {
        var shipped = await File.ReadAllTextAsync(RepoFile("firmware-config/broker/mosquitto.conf"));
        await using var broker = await MosquittoServer.StartAsync();
        var generated = await File.ReadAllTextAsync(broker.ConfigPath);

        Assert.Equal("100000", MosquittoConfig.Get(shipped, "max_queued_messages"));
        foreach (var option in new[] { "max_queued_messages", "max_queued_bytes", "max_inflight_messages",
                     "persistence", "autosave_interval", "persistent_client_expiration" })
        {
            Assert.NotNull(MosquittoConfig.Get(shipped, option));
            Assert.Equal(MosquittoConfig.Get(shipped, option), MosquittoConfig.Get(generated, option));
        }
        // Production auth and TLS are replaced by an anonymous loopback listener.
        Assert.Equal($"{broker.Port} 127.0.0.1", MosquittoConfig.Get(generated, "listener"));
        Assert.Null(MosquittoConfig.Get(generated, "password_file"));
        Assert.Null(MosquittoConfig.Get(generated, "certfile"));
        Assert.Equal("false", MosquittoConfig.Get(shipped, "allow_anonymous"));
    }

    private static MqttClientOptionsBuilder Options(MosquittoServer broker, string clientId) =>
        new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(clientId);

    private static async Task<IMqttClient> ConnectAsync(MosquittoServer broker, string clientId, Action<MqttApplicationMessage>? onMessage = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        if (onMessage is not null)
        {
            client.ApplicationMessageReceivedAsync += e => { onMessage(e.ApplicationMessage); return Task.CompletedTask; };
        }
        await client.ConnectAsync(Options(broker, clientId).Build());
        return client;
    }

    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }
}
