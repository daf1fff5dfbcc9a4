namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>
/// DR[2:0], config register bits 7:5 (SBAS444 §9.6.3): samples per second.
/// In single-shot mode one conversion takes 1 / DR (§9.4.2); the internal oscillator makes the
/// actual rate vary by up to ±10 % (§7.5 Electrical Characteristics, "Data rate variation").
/// </summary>
public enum DataRate : byte
{
    /// <summary>8 SPS (125 ms per conversion).</summary>
    SPS8 = 0b000,

    /// <summary>16 SPS.</summary>
    SPS16 = 0b001,

    /// <summary>32 SPS.</summary>
    SPS32 = 0b010,

    /// <summary>64 SPS.</summary>
    SPS64 = 0b011,

    /// <summary>128 SPS (reset default).</summary>
    SPS128 = 0b100,

    /// <summary>250 SPS.</summary>
    SPS250 = 0b101,

    /// <summary>475 SPS.</summary>
    SPS475 = 0b110,

    /// <summary>860 SPS (1.16 ms per conversion).</summary>
    SPS860 = 0b111,
}

/// <summary>Numeric values for <see cref="DataRate"/>.</summary>
public static class DataRateExtensions
{
    /// <summary>Nominal samples per second.</summary>
    public static int SamplesPerSecond(this DataRate rate) => rate switch
    {
        DataRate.SPS8 => 8,
        DataRate.SPS16 => 16,
        DataRate.SPS32 => 32,
        DataRate.SPS64 => 64,
        DataRate.SPS128 => 128,
        DataRate.SPS250 => 250,
        DataRate.SPS475 => 475,
        DataRate.SPS860 => 860,
        _ => throw new ArgumentOutOfRangeException(nameof(rate), rate, "Unknown data rate."),
    };

    /// <summary>Nominal single-shot conversion time, 1 / DR.</summary>
    public static TimeSpan ConversionTime(this DataRate rate) => TimeSpan.FromSeconds(1.0 / rate.SamplesPerSecond());
}
