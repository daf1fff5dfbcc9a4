namespace EdgeTelemetry.Sensors.Emulation.Bme280Model;

/// <summary>
/// Factory trimming parameters the emulator exposes (the binding parses them from the registers) (BST-BME280-DS002 §4.2.2, Table 16). T and P words are little-endian
/// (LSB at the lower address); dig_H4 and dig_H5 are signed 12-bit values sharing register 0xE5.
/// </summary>
public sealed record Bme280Calibration(
    ushort DigT1, short DigT2, short DigT3,
    ushort DigP1, short DigP2, short DigP3, short DigP4, short DigP5, short DigP6, short DigP7, short DigP8, short DigP9,
    byte DigH1, short DigH2, byte DigH3, short DigH4, short DigH5, sbyte DigH6);
