using EdgeTelemetry.Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Tests.Configuration;

public class YamlConfigurationTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private const string Yaml = """
        site: md-huepetuhe
        device: centrifuge-01
        broker:
          host: broker.local
          port: 8883
        sensors:
          - driver: simulated
            profile: centrifuge
            equipment: icon-i150
            intervalMs: 250
        """;

    [Fact]
    public void Yaml_binds_to_agent_options_with_sequences_as_lists()
    {
        var path = _dir.File("a.yaml");
        File.WriteAllText(path, Yaml);
        var config = new ConfigurationBuilder().Add(new YamlConfigurationSource(path, AgentOptions.Section)).Build();

        var options = config.GetSection(AgentOptions.Section).Get<AgentOptions>()!;

        Assert.Equal(("md-huepetuhe", "centrifuge-01", "broker.local", 8883), (options.Site, options.Device, options.Broker.Host, options.Broker.Port));
        var sensor = Assert.Single(options.Sensors);
        Assert.Equal(("simulated", "centrifuge", "icon-i150", 250), (sensor.Driver, sensor.Profile, sensor.Equipment, sensor.IntervalMs));
    }

    [Fact]
    public void Command_line_overrides_the_file()
    {
        var path = _dir.File("a.yaml");
        File.WriteAllText(path, Yaml);
        var config = new ConfigurationBuilder()
            .Add(new YamlConfigurationSource(path, AgentOptions.Section))
            .AddCommandLine(["--Agent:Broker:Port=1884"])
            .Build();
        Assert.Equal(1884, config.GetSection(AgentOptions.Section).Get<AgentOptions>()!.Broker.Port);
    }

    [Fact]
    public void Flattener_records_the_line_of_each_key()
    {
        var path = _dir.File("a.yaml");
        File.WriteAllText(path, Yaml);
        var (_, lines) = YamlFlattener.Load(path);
        Assert.Equal(5, lines["broker:port"]);
        Assert.Equal(9, lines["sensors:0:equipment"]);
    }

    [Fact]
    public void Syntax_error_names_file_and_line()
    {
        var path = _dir.File("bad.yaml");
        File.WriteAllText(path, "site: a\nbroker:\n  host: [unclosed\n");
        var ex = Assert.Throws<FormatException>(() => YamlFlattener.Load(path));
        Assert.StartsWith($"{path}:", ex.Message);
    }

    [Fact]
    public void Validator_names_every_bad_field()
    {
        var problems = AgentOptionsValidator.Validate(new AgentOptions
        {
            Site = "Bad Site",
            Device = "dev",
            Sensors = [new SensorOptions { Driver = "nope", Equipment = "" }],
        });
        Assert.Contains(problems, p => p.Path == "site");
        Assert.Contains(problems, p => p.Path == "sensors:0:driver");
        Assert.DoesNotContain(problems, p => p.Path == "device");
    }
}
