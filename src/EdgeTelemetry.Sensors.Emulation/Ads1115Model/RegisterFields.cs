using Iot.Device.Ads1115;

namespace EdgeTelemetry.Sensors.Emulation.Ads1115Model;

/// <summary>What the config fields mean physically (TI SBAS444 §9.3.3, §9.4.2, §9.6.3), for the emulator.</summary>
public static class RegisterFields
{
    /// <summary>±FSR in volts; PGA codes 101, 110 and 111 all select ±0.256 V.</summary>
    public static double FullScaleVolts(this MeasuringRange range) => range switch
    {
        MeasuringRange.FS6144 => 6.144,
        MeasuringRange.FS4096 => 4.096,
        MeasuringRange.FS2048 => 2.048,
        MeasuringRange.FS1024 => 1.024,
        MeasuringRange.FS0512 => 0.512,
        _ => 0.256,
    };

    /// <summary>One single-shot conversion takes 1 / DR.</summary>
    public static TimeSpan ConversionTime(this DataRate rate) => TimeSpan.FromSeconds(1.0 / rate switch
    {
        DataRate.SPS008 => 8,
        DataRate.SPS016 => 16,
        DataRate.SPS032 => 32,
        DataRate.SPS064 => 64,
        DataRate.SPS128 => 128,
        DataRate.SPS250 => 250,
        DataRate.SPS475 => 475,
        _ => 860,
    });

    /// <summary>Positive and negative input (0–3); negative is null for single-ended inputs (GND).</summary>
    public static (int Positive, int? Negative) Channels(this InputMultiplexer mux) => mux switch
    {
        InputMultiplexer.AIN0_AIN1 => (0, 1),
        InputMultiplexer.AIN0_AIN3 => (0, 3),
        InputMultiplexer.AIN1_AIN3 => (1, 3),
        InputMultiplexer.AIN2_AIN3 => (2, 3),
        InputMultiplexer.AIN0 => (0, null),
        InputMultiplexer.AIN1 => (1, null),
        InputMultiplexer.AIN2 => (2, null),
        InputMultiplexer.AIN3 => (3, null),
        _ => throw new ArgumentOutOfRangeException(nameof(mux), mux, "Unknown multiplexer setting."),
    };
}
