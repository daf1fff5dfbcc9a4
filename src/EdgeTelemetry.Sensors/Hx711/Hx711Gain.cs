namespace EdgeTelemetry.Sensors.Hx711;

/// <summary>
/// Input and gain for the NEXT conversion, selected by the total number of PD_SCK pulses in a read
/// (Avia HX711 datasheet, "Serial Interface", Table 3). The enum value is that pulse count.
/// With AVDD = 5 V the full-scale differential input is ±20 mV at gain 128 and ±40 mV at gain 64 (±0.5·AVDD/gain).
/// </summary>
public enum Hx711Gain
{
    /// <summary>Channel A, gain 128: 25 pulses. Power-on default.</summary>
    ChannelA128 = 25,

    /// <summary>Channel B, gain 32: 26 pulses.</summary>
    ChannelB32 = 26,

    /// <summary>Channel A, gain 64: 27 pulses.</summary>
    ChannelA64 = 27,
}

/// <summary>Numeric gain of an <see cref="Hx711Gain"/> setting.</summary>
public static class Hx711GainExtensions
{
    /// <summary>The PGA gain (128, 32 or 64).</summary>
    public static int Factor(this Hx711Gain gain) => gain switch
    {
        Hx711Gain.ChannelA128 => 128,
        Hx711Gain.ChannelB32 => 32,
        Hx711Gain.ChannelA64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(gain), gain, "Unknown HX711 gain."),
    };
}
