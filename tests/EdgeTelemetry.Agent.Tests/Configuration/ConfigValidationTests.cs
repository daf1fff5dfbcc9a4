using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Tests.Configuration;

public class ConfigValidationTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<string> Problems(string yaml)
    {
        var path = _dir.File("agent.yaml");
        File.WriteAllText(path, yaml);
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

    private const string Header = """
        site: md-test
        device: cf-01
        equipment:
          - id: cf-1
            profile: centrifuge
        sensors:

        """;

    [Fact]
    public void Every_shipped_example_config_is_valid()
    {
        var examples = Path.Combine(RepoRoot(), "firmware-config", "examples");
        var files = Directory.GetFiles(examples, "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
            AgentConfigLoader.Load(AgentConfigLoader.Build(file, []), file);
    }

    [Fact]
    public void Unknown_driver_is_reported_with_line_and_field()
    {
        var problems = Problems(Header + "  - driver: thermocouple\n    equipment: cf-1\n");
        Assert.Contains(problems, p => p.StartsWith("agent.yaml:7: sensors[0].driver: unknown driver 'thermocouple'"));
    }

    [Fact]
    public void Duplicate_i2c_address_on_a_bus_is_reported_on_the_second_device()
    {
        var problems = Problems(Header + """
              - driver: bme280
                equipment: cf-1
                address: "0x76"
              - driver: bme280
                equipment: cf-1
                bus: 1
                address: "0x76"
              - driver: bme280
                equipment: cf-1
                bus: 3
                address: "0x76"
            """);
        Assert.Equal(["agent.yaml:13: sensors[1].address: I2C bus 1 address 0x76 is already used by sensors[0] (bme280)"], problems);
    }

    [Fact]
    public void The_same_gpio_pin_used_twice_is_reported()
    {
        var problems = Problems(Header + """
              - driver: pulse_rpm
                equipment: cf-1
                pin: 17
              - driver: hx711
                equipment: cf-1
                doutPin: 5
                sckPin: 17
                offset: 0
                countsPerUnit: 1000
            """);
        Assert.Equal(["agent.yaml:13: sensors[1].sckPin: GPIO 17 is already used by sensors[0].pin"], problems);
    }

    [Fact]
    public void Missing_calibration_and_unit_mismatch_are_reported_per_channel()
    {
        var problems = Problems(Header + """
              - driver: ads1115
                equipment: cf-1
                channels:
                  - input: AIN0
                    name: fluidisation_pressure
                    unit: kPa
                  - input: AIN1
                    name: feed_rate
                    unit: kg
                    calibration: { type: current_loop, at4mA: 0, at20mA: 5 }
            """);
        Assert.Contains("agent.yaml:10: sensors[0].channels[0].calibration: missing calibration (current_loop, voltage_divider, linear, two_point or polynomial)", problems);
        Assert.Contains("agent.yaml:15: sensors[0].channels[1].unit: unit mismatch: centrifuge.feed_rate is in t/h, not kg", problems);
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Alarm_on_a_channel_the_equipment_does_not_have_is_reported()
    {
        var problems = Problems("""
            site: md-test
            device: cf-01
            equipment:
              - id: cf-1
                profile: centrifuge
                alarms:
                  - id: table_stopped
                    channel: stroke_rate
                    comparison: below
                    threshold: 100
            sensors:
              - driver: simulated
                equipment: cf-1
            """);
        Assert.Equal(1, problems.Count(p => p.StartsWith("agent.yaml:8: equipment[0].alarms[0].channel: alarm 'table_stopped' watches 'stroke_rate'")));
    }

    [Fact]
    public void Misspelt_keys_and_wrong_types_are_reported_alongside_other_problems()
    {
        var problems = Problems(Header + """
              - driver: simulated
                equipment: cf-1
                intervl: 500
              - driver: simulated
                equipment: cf-1
                intervalMs: often
              - driver: nope
                equipment: cf-1
            """);
        Assert.Contains("agent.yaml:9: sensors[0].intervl: unknown setting 'intervl'", problems);
        Assert.Contains("agent.yaml:12: sensors[1].intervalMs: 'often' is not a valid whole number", problems);
        Assert.Contains(problems, p => p.StartsWith("agent.yaml:13: sensors[2].driver: unknown driver 'nope'"));
    }

    [Fact]
    public void Values_are_checked_as_the_generated_binder_parses_them_dates_included()
    {
        // Good values of each kind bind; a date is a value, not a section (it was once reported as one).
        var path = _dir.File("good.yaml");
        File.WriteAllText(path, Header.Replace("sensors:", "clock:\n  earliestTrusted: 2026-01-15T00:00:00Z\n  jumpThresholdSeconds: 2.5\nsensors:") + """
              - driver: simulated
                equipment: cf-1
                intervalMs: 500
            """);
        var options = AgentConfigLoader.Load(AgentConfigLoader.Build(path, []), path);
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero), options.Clock.EarliestTrusted);
        Assert.Equal(2.5, options.Clock.JumpThresholdSeconds);
        Assert.Equal(500, options.Sensors[0].IntervalMs);

        var problems = Problems(Header.Replace("sensors:", "clock:\n  earliestTrusted: last tuesday\n  jumpThresholdSeconds: 2,5\nsensors:") + """
              - driver: simulated
                equipment: cf-1
                intervalMs: 0x10
            """);
        Assert.Contains("agent.yaml:7: clock.earliestTrusted: 'last tuesday' is not a valid DateTimeOffset", problems);
        Assert.Contains("agent.yaml:8: clock.jumpThresholdSeconds: '2,5' is not a valid number", problems);
        Assert.Contains("agent.yaml:12: sensors[0].intervalMs: '0x10' is not a valid whole number", problems);
    }

    [Fact]
    public void A_setting_of_another_driver_is_an_unknown_setting_for_this_one()
    {
        var problems = Problems(Header + """
              - driver: bme280
                equipment: cf-1
                kFactor: 7.5
            """);
        Assert.Equal(["agent.yaml:9: sensors[0].kFactor: unknown setting 'kFactor'"], problems);
    }

    [Fact]
    public void Two_i2c_chips_left_at_their_default_address_collide_on_one_bus()
    {
        var problems = Problems(Header + """
              - driver: bme280
                equipment: cf-1
              - driver: bme280
                equipment: cf-1
                bus: 1
            """);
        // Neither names an address: both are at the module's default, 0x76; the line is the entry's.
        Assert.Equal(["agent.yaml:9: sensors[1].address: I2C bus 1 address 0x76 is already used by sensors[0] (bme280)"], problems);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
