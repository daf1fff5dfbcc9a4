using System.Device.I2c;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Ads1115;
using Iot.Device.Ads1115;

namespace EdgeTelemetry.Agent.Sensors.Ads1115;

/// <summary>4–20 mA and 0–10 V transducers (pressure, flow, density, level) on an ADS1115.</summary>
public sealed class Ads1115Sensor : DriverSensor, IDisposable
{
    private sealed record Input(InputMultiplexer Mux, MeasuringRange Range, string Name, ChannelCalibration Calibration);

    private readonly Ads1115Channels _adc;
    private readonly List<Input> _inputs;

    public Ads1115Sensor(Ads1115Options o, SensorContext ctx, I2cDevice device)
        : base(ctx)
    {
        _inputs = o.Channels.Select(c => new Input(ParseInput(c.Input), Enum.Parse<MeasuringRange>(c.Range), c.Name, CalibrationOf(c))).ToList();
        _adc = new Ads1115Channels(device);
    }

    public override ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var readings = new List<Reading>(_inputs.Count);
        foreach (var input in _inputs)
        {
            var raw = _adc.Read(input.Mux, input.Range);
            var measured = input.Calibration.FromVolts(raw.Voltage.Volts);
            if (raw.IsClipped || !measured.HasValue)
            {
                // NAMUR NE43: a broken loop is a fault, never a value.
                Ctx.Logger.LogWarning("{Equipment}.{Channel}: no valid reading ({Detail}, {Volts:F3} V)", Equipment, input.Name,
                    raw.IsClipped ? "ADC input clipped" : measured.Detail, raw.Voltage.Volts);
                continue;
            }
            readings.Add(new Reading(input.Name, Math.Round(measured.Value!.Value, 4), input.Calibration.Unit));
        }
        return ValueTask.FromResult<IReadOnlyList<Reading>>(readings);
    }

    /// <summary>"AIN0".."AIN3" single-ended, or "AIN0_AIN1", "AIN0_AIN3", "AIN1_AIN3", "AIN2_AIN3" differential.</summary>
    public static InputMultiplexer ParseInput(string input) =>
        // The binding's names are the datasheet's: AIN0 … AIN3, AIN0_AIN1, AIN0_AIN3, AIN1_AIN3, AIN2_AIN3.
        input.StartsWith("AIN", StringComparison.Ordinal) && Enum.TryParse<InputMultiplexer>(input, ignoreCase: false, out var mux) && Enum.IsDefined(mux)
            ? mux
            : throw new ArgumentException($"input '{input}' is not AIN0..AIN3 or a differential pair like AIN0_AIN1");

    /// <summary>The channel's calibration; throws <see cref="ArgumentException"/> when it has none.</summary>
    public static ChannelCalibration CalibrationOf(AdcChannelOptions c) =>
        ChannelCalibration.Create(c.Calibration ?? throw new ArgumentException($"channel {c.Name}: calibration is required"), c.Unit);

    public void Dispose() => _adc.Dispose();
}
