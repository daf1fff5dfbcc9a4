using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Ds18b20;

/// <summary>Registration of <c>driver: ds18b20</c>: readings go to <c>environment</c> unless the config names a measurement.</summary>
public sealed class Ds18b20Module : SensorModule<Ds18b20Options>
{
    private const string SensorIdHint = "is required (e.g. 28-000005e2fdc3)";

    public override string Kind => "ds18b20";
    public override string? Measurement => "environment";

    protected override void BindTo(IConfigurationSection section, Ds18b20Options o) => section.Bind(o);

    protected override void Validate(Ds18b20Options o, SensorCheck check)
    {
        if (string.IsNullOrEmpty(o.SensorId)) check.Problem("sensorId", SensorIdHint);
        check.Channel("name", o.Name);
    }

    protected override ISensor Create(Ds18b20Options o, SensorContext ctx, ISensorHardware hardware)
    {
        var id = o.SensorId ?? throw new ArgumentException($"sensorId: {SensorIdHint}");
        return new Ds18b20Sensor(id, o.Name, ctx, hardware.OpenW1(o, ctx, o.W1Root, id, o.Name));
    }
}
