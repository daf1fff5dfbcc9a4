namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// A current-sense (burden) resistor: I = V / R. With 150 Ω a 4–20 mA loop gives 0.6–3.0 V,
/// inside the ADS1115's ±4.096 V range, and 21 mA (NE43 failure high) is still 3.15 V.
/// </summary>
/// <param name="Ohms">Resistance in Ω (use the measured value of the actual resistor for accuracy).</param>
public sealed record ShuntResistor(double Ohms)
{
    /// <summary>Loop current in mA for the voltage across the shunt.</summary>
    public double MilliampsFrom(double volts)
    {
        if (Ohms <= 0)
        {
            throw new InvalidOperationException("Shunt resistance must be positive.");
        }

        return volts / Ohms * 1000.0;
    }

    /// <summary>Voltage across the shunt for a loop current in mA.</summary>
    public double VoltsAt(double milliamps) => milliamps / 1000.0 * Ohms;
}
