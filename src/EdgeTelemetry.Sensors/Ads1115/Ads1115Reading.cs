namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>One single-shot conversion.</summary>
/// <param name="Raw">Conversion register, 16-bit two's complement.</param>
/// <param name="Volts">Raw · FSR / 32768.</param>
/// <param name="Input">Which inputs were measured.</param>
/// <param name="Range">PGA range used.</param>
/// <param name="IsClipped">
/// True when the code sits at 0x7FFF or 0x8000: the ADC clips there (SBAS444 §9.5.3 Data Format),
/// so the true input may be anywhere beyond full scale. Choose a wider range.
/// </param>
public readonly record struct Ads1115Reading(short Raw, double Volts, InputMultiplexer Input, MeasuringRange Range, bool IsClipped);
