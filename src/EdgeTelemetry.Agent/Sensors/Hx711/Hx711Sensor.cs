using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Hx711;
using Hx711Chip = EdgeTelemetry.Sensors.Hx711.Hx711;

namespace EdgeTelemetry.Agent.Sensors.Hx711;

/// <summary>HX711 load cell (feed and concentrate weighing): robust mean of a few conversions, in kg.</summary>
public sealed class Hx711Sensor : DriverSensor, IDisposable
{
    private readonly string _name;
    private readonly Hx711Chip _adc;
    private readonly LoadCellScale _scale;

    public Hx711Sensor(string name, SensorContext ctx, LoadCellWiring cell)
        : base(ctx)
    {
        _name = name;
        _adc = new Hx711Chip(cell.Pins);
        _scale = new LoadCellScale(_adc, Units.Kilogram);
        _scale.SetCalibration(cell.Offset, cell.CountsPerUnit);
    }

    public override ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var r = _scale.ReadWeight();
        if (r.Saturated)
        {
            Ctx.Logger.LogWarning("{Equipment}: load cell saturated; no valid reading", Equipment);
            return ValueTask.FromResult<IReadOnlyList<Reading>>([]);
        }
        return ValueTask.FromResult<IReadOnlyList<Reading>>([WireUnits.Reading(_name, UnitsNet.Mass.FromKilograms(r.Value), 3)]);
    }

    public void Dispose() => _adc.Dispose();
}
