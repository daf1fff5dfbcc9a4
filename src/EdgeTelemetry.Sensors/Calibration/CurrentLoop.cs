namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// 4–20 mA transmitter scaling with NAMUR NE43 signal levels:
/// <list type="bullet">
/// <item>≤ 3.6 mA or ≥ 21.0 mA: failure signal (wire break, transmitter fault) → <see cref="MeasurementQuality.Fault"/>, no value;</item>
/// <item>3.6 &lt; I &lt; 3.8 mA: under-range warning, value extrapolated;</item>
/// <item>3.8–20.5 mA: measurement information (the 4–20 mA line extended), <see cref="MeasurementQuality.Good"/>;</item>
/// <item>20.5 &lt; I &lt; 21.0 mA: over-range warning, value extrapolated.</item>
/// </list>
/// NE43 writes the failure bands as "≤ 3.6 mA" and "≥ 21 mA", so the exact boundary values count as faults.
/// </summary>
/// <param name="ValueAt4mA">Engineering value at 4 mA (0 % of span).</param>
/// <param name="ValueAt20mA">Engineering value at 20 mA (100 % of span).</param>
/// <param name="Unit">Engineering unit.</param>
public sealed record CurrentLoop(double ValueAt4mA, double ValueAt20mA, string Unit)
{
    /// <summary>NE43: at or below this current the transmitter signals a failure.</summary>
    public const double FailureLowMilliamps = 3.6;

    /// <summary>NE43: lower end of the measurement-information band.</summary>
    public const double MeasurementLowMilliamps = 3.8;

    /// <summary>NE43: upper end of the measurement-information band.</summary>
    public const double MeasurementHighMilliamps = 20.5;

    /// <summary>NE43: at or above this current the transmitter signals a failure.</summary>
    public const double FailureHighMilliamps = 21.0;

    /// <summary>Converts a loop current to engineering units with its NE43 quality.</summary>
    public Measured FromMilliamps(double milliamps)
    {
        if (double.IsNaN(milliamps) || double.IsInfinity(milliamps))
        {
            return Measured.Faulted(Unit, "loop current is not a number");
        }

        if (milliamps <= FailureLowMilliamps)
        {
            return Measured.Faulted(Unit, $"{milliamps:0.###} mA ≤ 3.6 mA: NAMUR NE43 failure signal (wire break or transmitter fault)");
        }

        if (milliamps >= FailureHighMilliamps)
        {
            return Measured.Faulted(Unit, $"{milliamps:0.###} mA ≥ 21 mA: NAMUR NE43 failure signal (transmitter fault or short)");
        }

        double value = ValueAt4mA + (milliamps - 4.0) / 16.0 * (ValueAt20mA - ValueAt4mA);
        if (milliamps < MeasurementLowMilliamps)
        {
            return new Measured(value, Unit, MeasurementQuality.UnderRange, $"{milliamps:0.###} mA is below the 3.8 mA measuring limit");
        }

        if (milliamps > MeasurementHighMilliamps)
        {
            return new Measured(value, Unit, MeasurementQuality.OverRange, $"{milliamps:0.###} mA is above the 20.5 mA measuring limit");
        }

        return Measured.Good(value, Unit);
    }

    /// <summary>Reads the loop through a shunt: the voltage across it, converted to mA first.</summary>
    public Measured FromShuntVoltage(double volts, ShuntResistor shunt) => FromMilliamps(shunt.MilliampsFrom(volts));
}
