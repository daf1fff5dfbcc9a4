namespace EdgeTelemetry.Sensors.Emulation.Bme280Model;

/// <summary>osrs_t / osrs_p / osrs_h field values (BST-BME280-DS002 §5.4.3, §5.4.5).</summary>
public enum Oversampling : byte
{
    /// <summary>Measurement skipped; the output register then holds 0x80000 (T, P) or 0x8000 (H).</summary>
    Skipped = 0b000,

    /// <summary>×1.</summary>
    X1 = 0b001,

    /// <summary>×2.</summary>
    X2 = 0b010,

    /// <summary>×4.</summary>
    X4 = 0b011,

    /// <summary>×8.</summary>
    X8 = 0b100,

    /// <summary>×16.</summary>
    X16 = 0b101,
}

/// <summary>Oversampling factor numbers.</summary>
public static class OversamplingExtensions
{
    /// <summary>The number of samples averaged (0 when skipped).</summary>
    public static int Factor(this Oversampling oversampling) => oversampling switch
    {
        Oversampling.Skipped => 0,
        Oversampling.X1 => 1,
        Oversampling.X2 => 2,
        Oversampling.X4 => 4,
        Oversampling.X8 => 8,
        _ => 16, // 101 and above
    };
}
