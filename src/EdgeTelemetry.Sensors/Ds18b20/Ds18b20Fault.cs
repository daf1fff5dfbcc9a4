namespace EdgeTelemetry.Sensors.Ds18b20;

/// <summary>Why a DS18B20 read produced no temperature.</summary>
public enum Ds18b20Fault
{
    /// <summary>A valid temperature.</summary>
    None,

    /// <summary>The kernel's CRC check of the scratchpad failed (first line ends in "NO"): noise, long cable, weak pull-up.</summary>
    CrcMismatch,

    /// <summary>The device directory or its w1_slave file is missing: sensor unplugged or the w1 bus lost it.</summary>
    MissingFile,

    /// <summary>
    /// t=85000: the scratchpad's power-on reset value (DS18B20 datasheet, "Temperature register" / "Power-up"),
    /// read when the sensor lost power or no conversion ran (parasite power too weak). Not a temperature.
    /// </summary>
    PowerOnValue,

    /// <summary>
    /// All scratchpad bytes 0x00 with "crc=00 YES": the CRC of nine zero bytes is 0, so a shorted or missing data line
    /// passes the kernel's check and reads t=0. Not a temperature.
    /// </summary>
    ZeroScratchpad,

    /// <summary>Outside the DS18B20's −55…+125 °C range.</summary>
    OutOfRange,

    /// <summary>The file did not have the expected two-line format.</summary>
    Malformed,
}
