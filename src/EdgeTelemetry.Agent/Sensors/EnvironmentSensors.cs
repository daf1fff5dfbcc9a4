using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Bme280;
using EdgeTelemetry.Sensors.Ds18b20;
using EdgeTelemetry.Sensors.Hx711;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>BME280: air temperature, humidity and pressure (enclosure and ambient conditions).</summary>
public sealed class Bme280Sensor : ISensor, IDisposable
{
    private readonly SensorContext _ctx;
    private readonly Bme280AirSensor _bme;

    public Bme280Sensor(SensorOptions o, SensorContext ctx, ISensorHardware i2c)
    {
        _ctx = ctx;
        _bme = new Bme280AirSensor(i2c.Open(o, ctx, I2cAddress.Parse(o.Address, 0x76)));
        if (!_bme.HumidityTrimmingReadable)
            ctx.Logger.LogWarning("{Equipment}: BME280 humidity trimming is negative, which the binding misreads; humidity is not reported", ctx.Equipment);
    }

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var air = _bme.Read();
        IReadOnlyList<Reading> readings = air.Humidity is { } humidity
            ? [WireUnits.Reading("temperature", air.Temperature, 2), WireUnits.Reading("humidity", humidity, 2), WireUnits.Reading("pressure", air.Pressure, 2)]
            : [WireUnits.Reading("temperature", air.Temperature, 2), WireUnits.Reading("pressure", air.Pressure, 2)];
        return ValueTask.FromResult(readings);
    }

    public void Dispose() => _bme.Dispose();
}

/// <summary>DS18B20 on the 1-wire bus (sysfs): CRC failures and the 85 °C power-on value are faults, not readings.</summary>
public sealed class Ds18b20Sensor : ISensor
{
    private readonly SensorContext _ctx;
    private readonly string _id;
    private readonly string _name;
    private readonly Ds18b20Sysfs _bus;

    public Ds18b20Sensor(SensorOptions o, SensorContext ctx, ISensorHardware hardware)
    {
        _ctx = ctx;
        _id = o.SensorId ?? throw new ArgumentException("sensorId: is required (e.g. 28-000005e2fdc3)");
        _name = o.Name ?? "temperature";
        _bus = new Ds18b20Sysfs(hardware.OpenW1(o, ctx, _name));
    }

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public async ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var r = await _bus.ReadTemperatureAsync(_id, ct);
        if (!r.IsValid)
        {
            _ctx.Logger.LogWarning("{Equipment}: DS18B20 {Sensor} fault {Fault}: {Detail}", Equipment, _id, r.Fault, r.Detail);
            return [];
        }
        return [WireUnits.Reading(_name, r.Temperature!.Value, 3)];
    }
}

/// <summary>HX711 load cell (feed and concentrate weighing): robust mean of a few conversions, in kg.</summary>
public sealed class Hx711Sensor : ISensor, IDisposable
{
    private readonly SensorContext _ctx;
    private readonly string _name;
    private readonly Hx711 _adc;
    private readonly LoadCellScale _scale;

    public Hx711Sensor(SensorOptions o, SensorContext ctx, ISensorHardware hardware)
    {
        _ctx = ctx;
        _name = o.Name ?? "mass";
        var cell = hardware.OpenLoadCell(o, ctx, _name);
        _adc = new Hx711(cell.Pins);
        _scale = new LoadCellScale(_adc, Units.Kilogram);
        _scale.SetCalibration(cell.Offset, cell.CountsPerUnit);
    }

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var r = _scale.ReadWeight();
        if (r.Saturated)
        {
            _ctx.Logger.LogWarning("{Equipment}: load cell saturated; no valid reading", Equipment);
            return ValueTask.FromResult<IReadOnlyList<Reading>>([]);
        }
        return ValueTask.FromResult<IReadOnlyList<Reading>>([WireUnits.Reading(_name, UnitsNet.Mass.FromKilograms(r.Value), 3)]);
    }

    public void Dispose() => _adc.Dispose();
}
