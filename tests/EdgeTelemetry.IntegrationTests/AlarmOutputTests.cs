using System.Device.Gpio;
using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>The on-site alarm outputs through the whole system, with the broker down while the alarm is raised.</summary>
public class AlarmOutputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const int Buzzer = 23, Light = 24, Button = 25;

    [Fact]
    public async Task Alarm_with_the_broker_down_drives_the_relays_the_button_silences_the_buzzer_and_the_acknowledgement_is_stored_after_reconnect()
    {
        await using var plant = await Plant.StartAsync();
        plant.Own(await plant.StartCentralAsync());
        await plant.Broker.StopAsync(); // no link at the site

        // Any background mercury exceeds a 0.001 µg/m³ action level, so the alarm is raised on the first sample.
        var config = plant.AgentConfigWith("hg-out-1", $"""
            hardware: emulated
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
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: {Buzzer}
                  silencedByAcknowledge: true
                - name: stack-light
                  pin: {Light}
                  activeLow: true
              acknowledge:
                pin: {Button}
                debounceMs: 30
            """);
        var agent = await plant.StartAgentFromAsync(config);
        plant.Own(new AsyncDisposableHost(agent));
        var gpio = ((EmulatedHardware)agent.Services.GetRequiredService<ISensorHardware>()).Gpio;
        var annunciator = agent.Services.GetRequiredService<Annunciator>();

        await Eventually.TrueAsync(() => Task.FromResult(gpio.Level(Buzzer) == PinValue.High && gpio.Level(Light) == PinValue.Low), Patience,
            "buzzer on and the active-low light pulled low");
        var alarm = Assert.Single(annunciator.Active());
        var firstOn = gpio.Writes().First(w => w.Pin == Buzzer && w.High);
        var latency = firstOn.At - Time.FromUnixNanoseconds(alarm.RaisedNs);
        output.WriteLine($"alarm-to-output latency (sample taken → relay written): {latency.TotalMilliseconds:F2} ms");
        Assert.True(latency < TimeSpan.FromMilliseconds(200), $"relay written {latency.TotalMilliseconds:F1} ms after the sample that raised the alarm");

        // The operator presses the button (to ground: pressed is low) and lets go.
        gpio.SetInputLevel(Button, PinValue.Low);
        await Eventually.TrueAsync(() => Task.FromResult(gpio.Level(Buzzer) == PinValue.Low), Patience, "buzzer silenced by the button");
        gpio.SetInputLevel(Button, PinValue.High);
        Assert.Equal(PinValue.Low, gpio.Level(Light)); // the light stays on while the alarm is active
        Assert.True(Assert.Single(annunciator.Active()).Acknowledged);

        await plant.Broker.StartAgainAsync();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var rows = await plant.Influx.QueryAsync(Plant.Database, "SELECT hg_above_action_level FROM alarm_ack WHERE device = 'hg-out-1' AND equipment = 'smelting-area'");
                return rows.Count == 1 && Convert.ToDouble(rows[0][1]) == (int)AcknowledgeSource.Button;
            }
            catch (InvalidOperationException) { return false; }
        }, Patience, "the acknowledgement stored in alarm_ack after the link came back");
    }
}
