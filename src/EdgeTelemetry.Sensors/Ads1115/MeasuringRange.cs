namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>
/// PGA[2:0], config register bits 11:9 (SBAS444 §9.6.3): programmable-gain full-scale range.
/// FSR is ±the named voltage; 1 LSB = FSR / 32768 (§9.3.3), e.g. 125 µV at ±4.096 V.
/// The FSR is only the scaling: no input may exceed VDD + 0.3 V or go below GND − 0.3 V,
/// so on a 3.3 V supply the ±6.144 V and ±4.096 V ranges cannot be used to their ends.
/// </summary>
public enum MeasuringRange : byte
{
    /// <summary>±6.144 V, 187.5 µV/LSB.</summary>
    FS6144 = 0b000,

    /// <summary>±4.096 V, 125 µV/LSB.</summary>
    FS4096 = 0b001,

    /// <summary>±2.048 V, 62.5 µV/LSB (reset default).</summary>
    FS2048 = 0b010,

    /// <summary>±1.024 V, 31.25 µV/LSB.</summary>
    FS1024 = 0b011,

    /// <summary>±0.512 V, 15.625 µV/LSB.</summary>
    FS0512 = 0b100,

    /// <summary>±0.256 V, 7.8125 µV/LSB (codes 101, 110 and 111 all select this range).</summary>
    FS0256 = 0b101,
}

/// <summary>Full-scale voltages for <see cref="MeasuringRange"/>.</summary>
public static class MeasuringRangeExtensions
{
    /// <summary>The positive full-scale voltage (the FSR is ± this value).</summary>
    public static double FullScaleVolts(this MeasuringRange range) => range switch
    {
        MeasuringRange.FS6144 => 6.144,
        MeasuringRange.FS4096 => 4.096,
        MeasuringRange.FS2048 => 2.048,
        MeasuringRange.FS1024 => 1.024,
        MeasuringRange.FS0512 => 0.512,
        _ => 0.256, // 101, 110, 111
    };
}
