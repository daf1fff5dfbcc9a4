using System.Globalization;
using System.Text;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// A fake <c>/sys/bus/w1/devices</c> in a temporary directory, with w1_slave files in the w1_therm format:
/// nine scratchpad bytes with a real Dallas/Maxim CRC-8, the CRC verdict, and <c>t=</c> in milli-°C as the kernel
/// computes it (raw · 1000 / 16, truncated). Deleted on dispose.
/// </summary>
public sealed class W1SysfsTree : IDisposable
{
    /// <summary>Creates an empty tree (with a w1_bus_master1 entry, as on a Pi).</summary>
    public W1SysfsTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "w1-devices-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "w1_bus_master1"));
    }

    /// <summary>The directory to hand to <c>Ds18b20Sysfs</c>.</summary>
    public string Root { get; }

    /// <summary>
    /// Dallas/Maxim 1-Wire CRC-8 (polynomial x⁸ + x⁵ + x⁴ + 1, LSB first; DS18B20 datasheet "CRC Generation").
    /// Over the eight scratchpad bytes it equals the ninth byte; over all nine it is 0.
    /// </summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (byte value in data)
        {
            byte b = value;
            for (int i = 0; i < 8; i++)
            {
                bool mix = ((crc ^ b) & 1) != 0;
                crc >>= 1;
                if (mix)
                {
                    crc ^= 0x8C;
                }

                b >>= 1;
            }
        }

        return crc;
    }

    /// <summary>A sensor reading <paramref name="celsius"/> (rounded to the 12-bit step of 0.0625 °C).</summary>
    public void SetTemperature(string sensorId, double celsius)
    {
        short raw = (short)Math.Round(celsius * 16);
        WriteScratchpad(sensorId, raw, crcOk: true);
    }

    /// <summary>A sensor whose scratchpad failed the CRC (line 1 ends in NO).</summary>
    public void SetCrcFailure(string sensorId, double celsius = 21.5)
    {
        WriteScratchpad(sensorId, (short)Math.Round(celsius * 16), crcOk: false);
    }

    /// <summary>A sensor showing the power-on value: 50 05 4b 46 7f ff 0c 10 … t=85000.</summary>
    public void SetPowerOnValue(string sensorId) =>
        WriteW1Slave(sensorId, [0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10], crcOk: true);

    /// <summary>A shorted data line: nine zero bytes, "crc=00 YES", t=0.</summary>
    public void SetZeroScratchpad(string sensorId) => WriteW1Slave(sensorId, new byte[8], crcOk: true);

    /// <summary>Writes arbitrary w1_slave content.</summary>
    public void WriteRaw(string sensorId, string content)
    {
        Directory.CreateDirectory(Path.Combine(Root, sensorId));
        File.WriteAllText(Path.Combine(Root, sensorId, "w1_slave"), content);
    }

    /// <summary>Adds a directory that is not a DS18B20 (e.g. "10-000802b4a7e9" for a DS18S20).</summary>
    public void AddOtherDevice(string name) => Directory.CreateDirectory(Path.Combine(Root, name));

    /// <summary>Deletes the sensor's w1_slave file but keeps its directory (the kernel mid-removal).</summary>
    public void RemoveW1Slave(string sensorId) => File.Delete(Path.Combine(Root, sensorId, "w1_slave"));

    /// <summary>Deletes the sensor's directory (unplugged).</summary>
    public void RemoveSensor(string sensorId) => Directory.Delete(Path.Combine(Root, sensorId), recursive: true);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private void WriteScratchpad(string sensorId, short raw, bool crcOk)
    {
        // Temperature LSB/MSB, TH, TL, config (0x7F = 12-bit), reserved 0xFF, COUNT_REMAIN, 0x10.
        byte[] scratchpad = [(byte)raw, (byte)(raw >> 8), 0x4B, 0x46, 0x7F, 0xFF, (byte)(0x10 - (raw & 0x0F)), 0x10];
        WriteW1Slave(sensorId, scratchpad, crcOk);
    }

    private void WriteW1Slave(string sensorId, byte[] eightBytes, bool crcOk)
    {
        byte crc = Crc8(eightBytes);
        byte shown = crcOk ? crc : (byte)(crc ^ 0x5A);
        string hex = string.Join(' ', eightBytes.Append(shown).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        int raw = (short)(eightBytes[0] | eightBytes[1] << 8);
        int milli = raw * 1000 / 16; // C integer division, as w1_therm
        var content = new StringBuilder()
            .Append(hex).Append(" : crc=").Append(shown.ToString("x2", CultureInfo.InvariantCulture)).Append(crcOk ? " YES" : " NO").Append('\n')
            .Append(hex).Append(" t=").Append(milli.ToString(CultureInfo.InvariantCulture)).Append('\n');
        WriteRaw(sensorId, content.ToString());
    }
}
