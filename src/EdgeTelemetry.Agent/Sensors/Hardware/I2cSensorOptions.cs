using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>The settings every I2C driver has: the bus and the chip's address, with the chip's default.</summary>
public abstract class I2cSensorOptions(int defaultAddress) : SensorOptions
{
    /// <summary>The Pi's /dev/i2c-N.</summary>
    public int Bus { get; set; } = 1;

    /// <summary>I2C address, e.g. "0x48"; unset gives the chip's default.</summary>
    [System.ComponentModel.DataAnnotations.RegularExpression("^(0x[0-9A-Fa-f]{1,2}|[0-9]{1,3})$")]
    public string? Address { get; set; }

    /// <summary>The configured address, else the chip's default; throws <see cref="ArgumentException"/> on a bad one.</summary>
    public int ResolvedAddress() => I2cAddress.Parse(Address, defaultAddress);
}

public static class I2cAddress
{
    /// <summary>Parses "0x48" or "72"; null gives the default.</summary>
    public static int Parse(string? text, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(t[2..], System.Globalization.NumberStyles.HexNumber, null, out var v)
            : int.TryParse(t, out v);
        return ok && v is >= 0x03 and <= 0x77 ? v : throw new ArgumentException($"address '{text}' is not a 7-bit I2C address (0x03-0x77)");
    }
}
