namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>How far a calibrated value can be trusted.</summary>
public enum MeasurementQuality
{
    /// <summary>Inside the instrument's measuring range.</summary>
    Good,

    /// <summary>Below the measuring range but not a fault (e.g. 3.6–3.8 mA under NAMUR NE43). A value is present.</summary>
    UnderRange,

    /// <summary>Above the measuring range but not a fault (e.g. 20.5–21 mA under NAMUR NE43). A value is present.</summary>
    OverRange,

    /// <summary>The signal says the instrument or its wiring failed. There is no value.</summary>
    Fault,
}

/// <summary>
/// A calibrated value with its unit and quality. A fault carries no value at all (<see cref="Value"/> is null),
/// so a broken loop can never be stored as a plausible number.
/// </summary>
/// <param name="Value">Engineering value, or null when <see cref="Quality"/> is <see cref="MeasurementQuality.Fault"/>.</param>
/// <param name="Unit">Unit of <see cref="Value"/> (e.g. "bar", "L/min", "µg/m³").</param>
/// <param name="Quality">Range/fault status.</param>
/// <param name="Detail">Why the quality is not <see cref="MeasurementQuality.Good"/>, for people reading the data.</param>
public readonly record struct Measured(double? Value, string Unit, MeasurementQuality Quality, string? Detail = null)
{
    /// <summary>True when a value is present (Good, UnderRange or OverRange).</summary>
    public bool HasValue => Value.HasValue;

    /// <summary>A value inside the measuring range.</summary>
    public static Measured Good(double value, string unit) => new(value, unit, MeasurementQuality.Good);

    /// <summary>A fault: no value, only the reason.</summary>
    public static Measured Faulted(string unit, string detail) => new(null, unit, MeasurementQuality.Fault, detail);

    /// <inheritdoc />
    public override string ToString() =>
        Value is { } v ? $"{v:G6} {Unit} ({Quality})" : $"no value [{Unit}] ({Quality}: {Detail})";
}
