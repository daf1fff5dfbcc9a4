namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>
/// 7-bit I2C addresses selected by what the ADDR pin is tied to (SBAS444 §9.5.1.1).
/// </summary>
public enum Ads1115Address : byte
{
    /// <summary>ADDR to GND.</summary>
    Ground = 0x48,

    /// <summary>ADDR to VDD.</summary>
    Vdd = 0x49,

    /// <summary>ADDR to SDA.</summary>
    Sda = 0x4A,

    /// <summary>ADDR to SCL.</summary>
    Scl = 0x4B,
}
