using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Tests.Configuration;

/// <summary>validate-config on <c>alarmOutputs</c> and <c>localPage</c>.</summary>
public class AlarmOutputConfigTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<string> Problems(string yaml)
    {
        var path = _dir.File("agent.yaml");
        File.WriteAllText(path, """
            site: md-test
            device: cf-01
            equipment:
              - id: cf-1
                profile: centrifuge
            sensors:
              - driver: pulse_rpm
                equipment: cf-1
                name: bowl_speed
                pin: 17
              - driver: bme280
                equipment: cf-1

            """ + yaml);
        try
        {
            AgentConfigLoader.Load(AgentConfigLoader.Build(path, []), path);
            return [];
        }
        catch (ConfigurationException ex)
        {
            return ex.Problems.Select(p => p.Replace(path, "agent.yaml")).ToList();
        }
    }

    [Fact]
    public void Valid_outputs_and_button_pass()
    {
        Assert.Empty(Problems("""
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: 23
                  silencedByAcknowledge: true
                  severities: [critical]
                - name: stack-light
                  pin: 24
                  mode: blink
                  alarms: [cf-1.fluidisation_lost, bowl_stopped_while_feeding]
              acknowledge:
                pin: 25
            localPage:
              enabled: true
              address: 192.168.4.1
              acknowledgePin: "2468"
              language: es
            """));
    }

    [Fact]
    public void Output_on_a_sensor_pin_and_button_on_an_output_pin_are_reported_with_line_and_owner()
    {
        var problems = Problems("""
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: 17
                - name: light
                  pin: 24
              acknowledge:
                pin: 24
            """);
        Assert.Equal([
            "agent.yaml:16: alarmOutputs.outputs[0].pin: GPIO 17 is already used by sensors[0].pin",
            "agent.yaml:20: alarmOutputs.acknowledge.pin: GPIO 24 is already used by alarmOutputs.outputs[1] (light)",
        ], problems);
    }

    [Fact]
    public void Output_on_the_i2c_pins_is_reported_when_an_i2c_sensor_uses_bus_1()
    {
        var problems = Problems("""
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: 3
            """);
        Assert.Equal(["agent.yaml:16: alarmOutputs.outputs[0].pin: GPIO 3 is I2C bus 1 (SCL), used by the I2C sensors"], problems);
    }

    [Fact]
    public void Unknown_alarm_id_severity_and_mode_are_reported()
    {
        var problems = Problems("""
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: 23
                  mode: flashing
                  alarms: [cf-1.fluidisation_lost, cf-1.bowl_overspeed]
                  severities: [urgent]
            """);
        Assert.Equal(3, problems.Count);
        Assert.Contains("agent.yaml:17: alarmOutputs.outputs[0].mode: 'flashing' must be steady or blink", problems);
        Assert.Contains(problems, p => p.StartsWith("agent.yaml:18: alarmOutputs.outputs[0].alarms[1]: unknown alarm 'cf-1.bowl_overspeed' (configured: cf-1.fluidisation_lost, cf-1.bowl_stopped_while_feeding)"));
        Assert.Contains("agent.yaml:19: alarmOutputs.outputs[0].severities[0]: 'urgent' must be warning or critical", problems);
    }

    [Fact]
    public void Local_page_with_a_bad_address_pin_or_language_is_reported()
    {
        var problems = Problems("""
            localPage:
              enabled: true
              address: raspberrypi.local
              acknowledgePin: "12"
              language: qu
            """);
        Assert.Equal([
            "agent.yaml:15: localPage.address: 'raspberrypi.local' is not an IP address (e.g. 127.0.0.1 or the Pi's LAN address)",
            "agent.yaml:16: localPage.acknowledgePin: must be 4-8 digits",
            "agent.yaml:17: localPage.language: 'qu' must be es or en",
        ], problems);
    }
}
