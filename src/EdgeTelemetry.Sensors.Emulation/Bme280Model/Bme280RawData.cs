namespace EdgeTelemetry.Sensors.Emulation.Bme280Model;

/// <summary>Uncompensated ADC values from registers 0xF7–0xFE (20-bit T and P, 16-bit H).</summary>
public readonly record struct Bme280RawData(int AdcT, int AdcP, int AdcH)
{
    /// <summary>Value of a 20-bit output whose measurement was skipped (§5.4.7, §5.4.8).</summary>
    public const int SkippedTemperatureOrPressure = 0x80000;

    /// <summary>Value of the humidity output when humidity was skipped (§5.4.9).</summary>
    public const int SkippedHumidity = 0x8000;

    /// <summary>Unpacks the 8-byte burst: press_msb, lsb, xlsb[7:4], temp_msb, lsb, xlsb[7:4], hum_msb, lsb.</summary>
    public static Bme280RawData FromBurst(ReadOnlySpan<byte> b) => new(
        AdcT: (b[3] << 12) | (b[4] << 4) | (b[5] >> 4),
        AdcP: (b[0] << 12) | (b[1] << 4) | (b[2] >> 4),
        AdcH: (b[6] << 8) | b[7]);
}
