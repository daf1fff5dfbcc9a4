using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.IntegrationTests;

public class AlarmEventTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Alarm_raised_on_the_device_is_published_on_the_events_topic_and_stored()
    {
        await using var plant = await Plant.StartAsync();
        plant.Own(await plant.StartCentralAsync());
        using var listener = new MqttClientFactory().CreateMqttClient();
        var events = new List<string>();
        listener.ApplicationMessageReceivedAsync += e => { lock (events) events.Add(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await listener.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await listener.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edgetelemetry/v1/+/+/events", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        // Any background mercury exceeds a 0.001 µg/m³ action level, so the alarm is raised on the first sample.
        var config = plant.AgentConfigWith("hg-1", """
            equipment:
              - id: smelting-area
                profile: mercury_vapour
                alarms:
                  - id: hg_above_action_level
                    threshold: 0.001
                    hysteresis: 0
                    minDurationSeconds: 0
            sensors:
              - driver: simulated
                equipment: smelting-area
                intervalMs: 100
            """);
        var agent = await plant.StartAgentFromAsync(config);
        plant.Own(new AsyncDisposableHost(agent));

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var rows = await plant.Influx.QueryAsync(Plant.Database, "SELECT hg_above_action_level, hg_above_action_level_value FROM alarm WHERE device = 'hg-1' AND equipment = 'smelting-area'");
                return rows.Count > 0 && Convert.ToDouble(rows[0][1]) == 1 && Convert.ToDouble(rows[0][2]) > 0.001;
            }
            catch (InvalidOperationException) { return false; }
        }, Patience, "the raised alarm stored in the alarm measurement");
        lock (events) Assert.Contains("edgetelemetry/v1/md-test/hg-1/events", events);
    }
}

/// <summary>Lets a test hand a host to the plant's teardown.</summary>
public sealed class AsyncDisposableHost(Microsoft.Extensions.Hosting.IHost host) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
