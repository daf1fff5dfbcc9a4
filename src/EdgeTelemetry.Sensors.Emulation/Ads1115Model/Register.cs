namespace EdgeTelemetry.Sensors.Emulation.Ads1115Model;

/// <summary>
/// Address-pointer register values (TI SBAS444 "ADS111x", §9.6.1 Address Pointer Register):
/// the first byte of every write selects the register that following bytes or reads refer to.
/// </summary>
public enum Register : byte
{
    /// <summary>Conversion register: last result, 16-bit two's complement (§9.6.2).</summary>
    Conversion = 0x00,

    /// <summary>Config register: OS, MUX, PGA, MODE, DR, comparator (§9.6.3). Reset value 0x8583.</summary>
    Config = 0x01,

    /// <summary>Comparator low threshold (§9.6.4). Reset value 0x8000.</summary>
    LowThreshold = 0x02,

    /// <summary>Comparator high threshold (§9.6.4). Reset value 0x7FFF.</summary>
    HighThreshold = 0x03,
}
