using EdgeTelemetry.Sensors.Calibration;

namespace EdgeTelemetry.Agent.Sensors.Ads1115;

/// <summary>
/// Turns an ADC voltage into an engineering value (and, for emulation, back). Built from the
/// config's calibration block on top of the Sensors library's calibration types.
/// </summary>
public sealed class ChannelCalibration
{
    private readonly Func<double, Measured> _toValue;
    private readonly Func<double, double> _toVolts;

    private ChannelCalibration(string unit, Func<double, Measured> toValue, Func<double, double> toVolts)
    {
        Unit = unit;
        _toValue = toValue;
        _toVolts = toVolts;
    }

    public string Unit { get; }

    public Measured FromVolts(double volts) => _toValue(volts);

    /// <summary>The input voltage that reads as <paramref name="value"/> (emulated hardware only).</summary>
    public double ToVolts(double value) => _toVolts(value);

    /// <summary>Builds the calibration; throws <see cref="ArgumentException"/> naming the missing or bad member.</summary>
    public static ChannelCalibration Create(CalibrationOptions c, string unit)
    {
        switch (c.Type)
        {
            case "current_loop":
            {
                var loop = new CurrentLoop(Require(c.At4mA, "at4mA"), Require(c.At20mA, "at20mA"), unit);
                var shunt = new ShuntResistor(c.ShuntOhms);
                return new(unit, v => loop.FromShuntVoltage(v, shunt),
                    value => shunt.VoltsAt(4 + 16 * (value - loop.ValueAt4mA) / (loop.ValueAt20mA - loop.ValueAt4mA)));
            }
            case "voltage_divider":
            {
                var ratio = Require(c.DividerRatio, "dividerRatio");
                var full = Require(c.FullScaleVolts, "fullScaleVolts");
                var line = LinearCalibration.FromTwoPoints(0, Require(c.AtZeroVolts, "atZeroVolts"), full, Require(c.AtFullScale, "atFullScale"), unit);
                return new(unit, v => line.Calibrate(v * ratio), value => (value - line.Offset) / line.Gain / ratio);
            }
            case "linear":
            {
                var line = new LinearCalibration(Require(c.Gain, "gain"), c.Offset ?? 0, unit);
                return new(unit, line.Calibrate, value => (value - line.Offset) / line.Gain);
            }
            case "two_point":
            {
                var line = LinearCalibration.FromTwoPoints(Require(c.Raw1, "raw1"), Require(c.Value1, "value1"), Require(c.Raw2, "raw2"), Require(c.Value2, "value2"), unit);
                return new(unit, line.Calibrate, value => (value - line.Offset) / line.Gain);
            }
            case "polynomial":
            {
                if (c.Coefficients.Count == 0) throw new ArgumentException("calibration: polynomial needs coefficients");
                var poly = new PolynomialCalibration(unit, [.. c.Coefficients]);
                return new(unit, poly.Calibrate, value => Invert(poly.Apply, value));
            }
            default:
                throw new ArgumentException($"calibration:type: '{c.Type}' is not current_loop, voltage_divider, linear, two_point or polynomial");
        }
    }

    private static double Require(double? v, string name) => v ?? throw new ArgumentException($"calibration:{name}: is required");

    /// <summary>Bisection over the ADC's ±6.144 V input span; assumes the polynomial is monotonic there.</summary>
    private static double Invert(Func<double, double> f, double target)
    {
        double lo = -6.144, hi = 6.144;
        var rising = f(hi) > f(lo);
        for (var i = 0; i < 60; i++)
        {
            var mid = (lo + hi) / 2;
            if (f(mid) < target == rising) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
