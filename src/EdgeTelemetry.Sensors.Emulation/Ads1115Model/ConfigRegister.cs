using Iot.Device.Ads1115;

namespace EdgeTelemetry.Sensors.Emulation.Ads1115Model;

/// <summary>
/// The emulator's decoding of the config register, in the binding's enum types (their values are the datasheet's
/// field codes). Bit layout of the 16-bit config register (SBAS444 §9.6.3), MSB first on the bus:
/// <code>
///  15 | 14 13 12 | 11 10 9 |  8   | 7 6 5 |     4     |    3     |    2     |    1 0
///  OS |   MUX    |   PGA   | MODE |  DR   | COMP_MODE | COMP_POL | COMP_LAT | COMP_QUE
/// </code>
/// OS: write 1 = start a single conversion (in power-down state); read 0 = converting, 1 = idle.
/// MODE: 1 = single-shot / power-down (default), 0 = continuous. COMP_QUE 11 = comparator disabled (default).
/// </summary>
public static class ConfigRegister
{
    /// <summary>Operational status / single-shot start bit.</summary>
    public const ushort OperationalStatus = 0x8000;

    /// <summary>MODE bit set = single-shot (power-down) mode.</summary>
    public const ushort SingleShotMode = 0x0100;

    /// <summary>COMP_QUE = 11: comparator disabled, ALERT/RDY high-impedance.</summary>
    public const ushort ComparatorDisabled = 0x0003;

    /// <summary>Reset value after power-up.</summary>
    public const ushort ResetValue = 0x8583;

    /// <summary>Config word that starts one single-shot conversion with the comparator disabled.</summary>
    public static ushort SingleShot(InputMultiplexer mux, MeasuringRange range, DataRate rate) =>
        (ushort)(OperationalStatus
                 | ((int)mux & 0b111) << 12
                 | ((int)range & 0b111) << 9
                 | SingleShotMode
                 | ((int)rate & 0b111) << 5
                 | ComparatorDisabled);

    /// <summary>MUX field of a config word.</summary>
    public static InputMultiplexer Multiplexer(ushort config) => (InputMultiplexer)((config >> 12) & 0b111);

    /// <summary>PGA field of a config word (101, 110 and 111 all mean ±0.256 V).</summary>
    public static MeasuringRange Range(ushort config)
    {
        int pga = (config >> 9) & 0b111;
        return pga >= 0b101 ? MeasuringRange.FS0256 : (MeasuringRange)pga;
    }

    /// <summary>DR field of a config word.</summary>
    public static DataRate Rate(ushort config) => (DataRate)((config >> 5) & 0b111);

    /// <summary>True when MODE selects single-shot (power-down) operation.</summary>
    public static bool IsSingleShot(ushort config) => (config & SingleShotMode) != 0;

    /// <summary>True when the OS bit reads 1 (no conversion in progress).</summary>
    public static bool IsIdle(ushort config) => (config & OperationalStatus) != 0;
}
