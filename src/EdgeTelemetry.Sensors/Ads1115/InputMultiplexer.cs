namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>
/// MUX[2:0], config register bits 14:12 (SBAS444 §9.6.3): which inputs feed the ADC.
/// Differential pairs measure AINp − AINn; single-ended inputs measure AINx − GND.
/// </summary>
public enum InputMultiplexer : byte
{
    /// <summary>AINp = AIN0, AINn = AIN1 (reset default).</summary>
    Ain0Ain1 = 0b000,

    /// <summary>AINp = AIN0, AINn = AIN3.</summary>
    Ain0Ain3 = 0b001,

    /// <summary>AINp = AIN1, AINn = AIN3.</summary>
    Ain1Ain3 = 0b010,

    /// <summary>AINp = AIN2, AINn = AIN3.</summary>
    Ain2Ain3 = 0b011,

    /// <summary>AIN0 against GND.</summary>
    Ain0 = 0b100,

    /// <summary>AIN1 against GND.</summary>
    Ain1 = 0b101,

    /// <summary>AIN2 against GND.</summary>
    Ain2 = 0b110,

    /// <summary>AIN3 against GND.</summary>
    Ain3 = 0b111,
}

/// <summary>Which physical inputs a <see cref="InputMultiplexer"/> setting connects.</summary>
public static class InputMultiplexerExtensions
{
    /// <summary>
    /// The positive and negative input channel numbers (0–3); the negative one is null for single-ended inputs (GND).
    /// </summary>
    public static (int Positive, int? Negative) Channels(this InputMultiplexer mux) => mux switch
    {
        InputMultiplexer.Ain0Ain1 => (0, 1),
        InputMultiplexer.Ain0Ain3 => (0, 3),
        InputMultiplexer.Ain1Ain3 => (1, 3),
        InputMultiplexer.Ain2Ain3 => (2, 3),
        InputMultiplexer.Ain0 => (0, null),
        InputMultiplexer.Ain1 => (1, null),
        InputMultiplexer.Ain2 => (2, null),
        InputMultiplexer.Ain3 => (3, null),
        _ => throw new ArgumentOutOfRangeException(nameof(mux), mux, "Unknown multiplexer setting."),
    };

    /// <summary>The single-ended setting for channel 0–3.</summary>
    public static InputMultiplexer SingleEnded(int channel) => channel switch
    {
        0 => InputMultiplexer.Ain0,
        1 => InputMultiplexer.Ain1,
        2 => InputMultiplexer.Ain2,
        3 => InputMultiplexer.Ain3,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "The ADS1115 has inputs AIN0–AIN3."),
    };
}
