using System.Net;
using System.Text.Json;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Fleet;

[Collection(InfluxCollection.Name)]
public class FleetApiTests(InfluxFixture influx)
{
    private static readonly DateTimeOffset T = At("2026-03-03T09:00:00Z");

    private static async Task SeedFleetAsync(CentralHost host)
    {
        var alarm = (DateTimeOffset t, long seq, string rule, double raised, double value) =>
            new Point("alarm", Ns(t)).Tag("site", CentralHost.Site).Tag("device", "centrifuge-01").Tag("equipment", "icon-i150-1")
                .Field(rule, raised).Field(rule + "_value", value).Field("seq", seq);
        var health = (DateTimeOffset t, double backlog, double clockOk) =>
            new Point("agent_health", Ns(t)).Tag("site", CentralHost.Site).Tag("device", "centrifuge-01").Tag("equipment", "agent")
                .Field("backlog", backlog).Field("oldest_unsent_age", 340.0).Field("evictions", 0.0).Field("disk_free", 1e9)
                .Field("cpu_temperature", 55.5).Field("uptime", 3600.0).Field("reconnects", 2.0).Field("clock_ok", clockOk)
                .Field("unreceipted", backlog + 200).Field("oldest_unreceipted_age", 410.0).Field("receipts", 1.0).Field("resent", 37.0);
        await host.WriteAsync(
        [
            Status("centrifuge-01", T.AddHours(-1), "online"),
            Status("centrifuge-01", T, "offline"),                                   // last will
            Status("centrifuge-01", T.AddMinutes(5), "online", agent: "0.2.0", stream: "s2"),
            Status("hg-monitor-02", T.AddHours(-1), "online"),
            Status("hg-monitor-02", T.AddMinutes(30), "offline"),
            health(T.AddMinutes(9), 99, 1),
            health(T.AddMinutes(10), 12, 0),                                        // the latest: backlog 12, clock not trustworthy
            alarm(T.AddMinutes(15), 40, "bowl_stopped_while_feeding", 1, 0),
            alarm(T.AddMinutes(16), 41, "bowl_stopped_while_feeding", 0, 380),      // cleared
            alarm(T.AddMinutes(20), 42, "fluidisation_lost", 1, 3.5),               // still raised
            Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T.AddMinutes(30), 43, ("bowl_speed", 400)),
            Telemetry("shaking_table", "table-01", "wilfley-1", T.AddMinutes(12), 7, ("stroke_rate", 285)),
            new Point("mercury_vapour", Ns(T)).Tag("site", "md-other").Tag("device", "hg-monitor-09").Tag("equipment", "x").Field("hg", 0.1).Field("seq", 1L),
        ]);
        await host.WriteAsync($"delivery,site=md-test,device=centrifuge-01,stream=s2 ranges=\"43\",count=1i,duplicates=0i,evicted=0i {Ns(T.AddMinutes(31))}");
    }

    [Fact]
    public async Task Devices_show_state_last_seen_health_clock_and_open_alarms()
    {
        await using var host = await CentralHost.StartAsync(influx.Server);
        await SeedFleetAsync(host);

        var (status, body) = await host.Client("operator").GetJsonAsync("/api/devices?site=md-test");

        Assert.Equal(HttpStatusCode.OK, status);
        var devices = body.GetProperty("devices").EnumerateArray().ToDictionary(d => d.Str("device")!);
        Assert.Equal(["centrifuge-01", "hg-monitor-02", "table-01"], devices.Keys.Order());

        var c = devices["centrifuge-01"];
        Assert.Equal("online", c.Str("state"));
        Assert.Equal(T.AddMinutes(5), c.GetProperty("stateSince").GetDateTimeOffset());
        Assert.Equal("0.2.0", c.Str("agentVersion"));
        Assert.Equal(T.AddMinutes(30), c.GetProperty("lastSampleAt").GetDateTimeOffset());
        Assert.Equal(T.AddMinutes(31), c.GetProperty("lastSeen").GetDateTimeOffset()); // the last message received
        Assert.Equal(12, c.GetProperty("health").Num("backlog"));
        Assert.Equal(340, c.GetProperty("health").Num("oldestUnsentAgeSeconds"));
        // Sent but not yet confirmed stored: what the device still answers for.
        Assert.Equal(212, c.GetProperty("health").Num("unreceipted"));
        Assert.Equal(410, c.GetProperty("health").Num("oldestUnreceiptedAgeSeconds"));
        Assert.True(c.GetProperty("health").GetProperty("receipts").GetBoolean());
        Assert.Equal(37, c.GetProperty("health").Num("resent"));
        Assert.Equal("untrusted", c.Str("clockState"));
        var open = Assert.Single(c.GetProperty("openAlarms").EnumerateArray());
        Assert.Equal(("icon-i150-1", "fluidisation_lost", 3.5), (open.Str("equipment"), open.Str("rule"), open.Num("value")));
        Assert.Equal(T.AddMinutes(20), open.GetProperty("since").GetDateTimeOffset());

        var hg = devices["hg-monitor-02"];
        Assert.Equal("offline", hg.Str("state"));
        Assert.Equal(T.AddMinutes(30), hg.GetProperty("stateSince").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, hg.GetProperty("health").ValueKind); // no agent_health yet: tolerated
        Assert.Equal("unknown", hg.Str("clockState"));

        Assert.Equal("unknown", devices["table-01"].Str("state")); // telemetry but never a status message
        Assert.Equal(T.AddMinutes(12), devices["table-01"].GetProperty("lastSeen").GetDateTimeOffset());
    }

    [Fact]
    public async Task One_device_is_found_by_site_and_id_and_others_are_not()
    {
        await using var host = await CentralHost.StartAsync(influx.Server);
        await SeedFleetAsync(host);
        var client = host.Client("operator");

        var (ok, device) = await client.GetJsonAsync("/api/devices/md-test/centrifuge-01");
        var (missing, _) = await client.GetJsonAsync("/api/devices/md-test/centrifuge-99");
        var (bad, problem) = await client.GetJsonAsync("/api/devices/md-test/Centrifuge 01");
        var (_, all) = await client.GetJsonAsync("/api/devices");

        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("online", device.Str("state"));
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.NotEmpty(problem.Errors("device"));
        Assert.Contains(all.GetProperty("devices").EnumerateArray(), d => d.Str("site") == "md-other");
    }

    [Fact]
    public async Task Status_and_last_will_from_the_broker_survive_a_restart_of_the_central_service()
    {
        await using var broker = await MosquittoServer.StartAsync();
        var database = CentralHost.NewDatabase();
        var host = await CentralHost.StartAsync(influx.Server, database, broker.Port);
        await using var stopsEvenIfTheTestFails = new DisposeOnce(host);
        await host.Services.GetRequiredService<MqttIngestService>().Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
        var operatorClient = host.Client("operator");
        async Task<string?> StateOf(HttpClient client)
        {
            var (status, d) = await client.GetJsonAsync("/api/devices/md-test/pump-01");
            return status == HttpStatusCode.OK ? d.Str("state") : null;
        }

        // A device connects with its last will, as the agent does, and announces itself online (retained).
        var topic = Topics.For("md-test", "pump-01", TopicKind.Status);
        using var device = new MqttClientFactory().CreateMqttClient();
        await device.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port).WithClientId("pump-01").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithWillTopic(topic).WithWillRetain(true).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillPayload(BatchCodec.Encode(new DeviceStatus { State = "offline", AgentVersion = "0.3.0", Stream = "abc" }))
            .Build());
        await device.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithPayload(BatchCodec.Encode(new DeviceStatus { State = "online", AgentVersion = "0.3.0", Stream = "abc" })).Build());
        await Eventually.HoldsAsync(() => StateOf(operatorClient), s => s == "online", "pump-01 online");

        // The link drops: the broker publishes the will (MQTT 5 "disconnect with will message").
        await device.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
        await Eventually.HoldsAsync(() => StateOf(operatorClient), s => s == "offline", "pump-01 offline after its last will");
        var (_, before) = await operatorClient.GetJsonAsync("/api/devices/md-test/pump-01");

        // Restart without any broker: the state comes back from InfluxDB alone.
        await stopsEvenIfTheTestFails.DisposeAsync();
        await broker.StopAsync();
        await using var restarted = await CentralHost.StartAsync(influx.Server, database);
        var (status, after) = await restarted.Client("operator").GetJsonAsync("/api/devices/md-test/pump-01");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("offline", after.Str("state"));
        Assert.Equal("0.3.0", after.Str("agentVersion"));
        Assert.Equal(before.GetProperty("stateSince").GetDateTimeOffset(), after.GetProperty("stateSince").GetDateTimeOffset());
    }
}

/// <summary>Stops the first central instance exactly once, in the test or, if it failed earlier, at the end.</summary>
file sealed class DisposeOnce(IAsyncDisposable inner) : IAsyncDisposable
{
    private int _done;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _done, 1) == 0 ? inner.DisposeAsync() : ValueTask.CompletedTask;
}
