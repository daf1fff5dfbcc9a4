namespace EdgeTelemetry.Sensors.Bme280;

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

/// <summary>A compensated measurement.</summary>
/// <param name="TemperatureCelsius">°C, 0.01 °C resolution (32-bit formula).</param>
/// <param name="PressurePascal">Pa, 1/256 Pa resolution (64-bit formula).</param>
/// <param name="RelativeHumidityPercent">%RH, 1/1024 %RH resolution (32-bit formula).</param>
public readonly record struct Bme280Reading(double TemperatureCelsius, double PressurePascal, double RelativeHumidityPercent)
{
    /// <summary>Pressure in hPa (= mbar).</summary>
    public double PressureHectopascal => PressurePascal / 100.0;
}
