using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Ds18b20;

namespace EdgeTelemetry.Agent.Sensors.Ds18b20;

/// <summary>DS18B20 on the 1-wire bus (sysfs): CRC failures and the 85 °C power-on value are faults, not readings.</summary>
public sealed class Ds18b20Sensor : DriverSensor
{
    private readonly string _id;
    private readonly string _name;
    private readonly Ds18b20Sysfs _bus;

    /// <param name="w1Root">The w1 devices folder holding the sensor's <c>w1_slave</c>.</param>
    public Ds18b20Sensor(string sensorId, string name, SensorContext ctx, string w1Root)
        : base(ctx)
    {
        _id = sensorId;
        _name = name;
        _bus = new Ds18b20Sysfs(w1Root);
    }

    public override async ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var r = await _bus.ReadTemperatureAsync(_id, ct);
        if (!r.IsValid)
        {
            Ctx.Logger.LogWarning("{Equipment}: DS18B20 {Sensor} fault {Fault}: {Detail}", Equipment, _id, r.Fault, r.Detail);
            return [];
        }
        return [WireUnits.Reading(_name, r.Temperature!.Value, 3)];
    }
}
