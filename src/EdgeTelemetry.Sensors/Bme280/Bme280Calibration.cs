using System.Buffers.Binary;

namespace EdgeTelemetry.Sensors.Bme280;

/// <summary>
/// Factory trimming parameters (BST-BME280-DS002 §4.2.2, Table 16). T and P words are little-endian
/// (LSB at the lower address); dig_H4 and dig_H5 are signed 12-bit values sharing register 0xE5.
/// </summary>
public sealed record Bme280Calibration(
    ushort DigT1, short DigT2, short DigT3,
    ushort DigP1, short DigP2, short DigP3, short DigP4, short DigP5, short DigP6, short DigP7, short DigP8, short DigP9,
    byte DigH1, short DigH2, byte DigH3, short DigH4, short DigH5, sbyte DigH6)
{
    /// <summary>Bytes in 0x88–0xA1.</summary>
    public const int Block1Length = 26;

    /// <summary>Bytes in 0xE1–0xE7.</summary>
    public const int Block2Length = 7;

    /// <summary>Decodes the two trimming blocks as read from the chip.</summary>
    /// <param name="block1">26 bytes from 0x88 (0xA0 is unused, 0xA1 is dig_H1).</param>
    /// <param name="block2">7 bytes from 0xE1.</param>
    public static Bme280Calibration Parse(ReadOnlySpan<byte> block1, ReadOnlySpan<byte> block2)
    {
        if (block1.Length < Block1Length || block2.Length < Block2Length)
        {
            throw new ArgumentException($"Calibration needs {Block1Length} + {Block2Length} bytes.");
        }

        short S16(ReadOnlySpan<byte> b, int i) => BinaryPrimitives.ReadInt16LittleEndian(b[i..]);
        ushort U16(ReadOnlySpan<byte> b, int i) => BinaryPrimitives.ReadUInt16LittleEndian(b[i..]);

        // 0xE4 = dig_H4[11:4], 0xE5[3:0] = dig_H4[3:0]; 0xE5[7:4] = dig_H5[3:0], 0xE6 = dig_H5[11:4].
        // The MSB registers are signed, so sign-extend from bit 11.
        short digH4 = (short)(((sbyte)block2[3] << 4) | (block2[4] & 0x0F));
        short digH5 = (short)(((sbyte)block2[5] << 4) | (block2[4] >> 4));

        return new Bme280Calibration(
            U16(block1, 0), S16(block1, 2), S16(block1, 4),
            U16(block1, 6), S16(block1, 8), S16(block1, 10), S16(block1, 12), S16(block1, 14),
            S16(block1, 16), S16(block1, 18), S16(block1, 20), S16(block1, 22),
            block1[25], S16(block2, 0), block2[2], digH4, digH5, (sbyte)block2[6]);
    }
}
