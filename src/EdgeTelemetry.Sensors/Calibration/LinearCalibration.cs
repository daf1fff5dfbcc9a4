namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>value = <see cref="Gain"/> · raw + <see cref="Offset"/>.</summary>
/// <param name="Gain">Engineering units per raw unit.</param>
/// <param name="Offset">Engineering value at raw = 0.</param>
/// <param name="Unit">Unit of the result.</param>
public sealed record LinearCalibration(double Gain, double Offset, string Unit)
{
    /// <summary>
    /// The line through two reference points (e.g. a zero and a span check):
    /// gain = (v2 − v1) / (r2 − r1), offset = v1 − gain · r1.
    /// </summary>
    public static LinearCalibration FromTwoPoints(double raw1, double value1, double raw2, double value2, string unit)
    {
        if (raw1 == raw2)
        {
            throw new ArgumentException("Two-point calibration needs two different raw readings.", nameof(raw2));
        }

        double gain = (value2 - value1) / (raw2 - raw1);
        return new LinearCalibration(gain, value1 - gain * raw1, unit);
    }

    /// <summary>Applies the line to a raw value.</summary>
    public double Apply(double raw) => Gain * raw + Offset;

    /// <summary>Applies the line and tags the result with the unit.</summary>
    public Measured Calibrate(double raw) => Measured.Good(Apply(raw), Unit);
}
