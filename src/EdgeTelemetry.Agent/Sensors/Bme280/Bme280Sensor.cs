using System.Device.I2c;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Bme280;

namespace EdgeTelemetry.Agent.Sensors.Bme280;

/// <summary>BME280: air temperature, humidity and pressure (enclosure and ambient conditions).</summary>
public sealed class Bme280Sensor : DriverSensor, IDisposable
{
    private readonly Bme280AirSensor _bme;

    public Bme280Sensor(SensorContext ctx, I2cDevice device)
        : base(ctx)
    {
        _bme = new Bme280AirSensor(device);
        if (!_bme.HumidityTrimmingReadable)
            ctx.Logger.LogWarning("{Equipment}: BME280 humidity trimming is negative, which the binding misreads; humidity is not reported", ctx.Equipment);
    }

    public override ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var air = _bme.Read();
        IReadOnlyList<Reading> readings = air.Humidity is { } humidity
            ? [WireUnits.Reading("temperature", air.Temperature, 2), WireUnits.Reading("humidity", humidity, 2), WireUnits.Reading("pressure", air.Pressure, 2)]
            : [WireUnits.Reading("temperature", air.Temperature, 2), WireUnits.Reading("pressure", air.Pressure, 2)];
        return ValueTask.FromResult(readings);
    }

    public void Dispose() => _bme.Dispose();
}
