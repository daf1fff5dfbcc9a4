using System.Globalization;

namespace EdgeTelemetry.Sensors.Ds18b20;

/// <summary>
/// DS18B20 1-wire thermometers through the Linux w1-gpio / w1_therm drivers
/// (<c>dtoverlay=w1-gpio</c>, default GPIO4). Each sensor is a directory <c>&lt;root&gt;/28-xxxxxxxxxxxx</c>
/// (family code 0x28) whose <c>w1_slave</c> file, when read, triggers a conversion (~750 ms at 12-bit) and returns:
/// <code>
/// 72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
/// 72 01 4b 46 7f ff 0e 10 57 t=23125
/// </code>
/// Line 1: scratchpad bytes and the kernel's CRC verdict; line 2: the temperature in milli-°C.
/// Faults are returned in <see cref="Ds18b20Reading"/>, never as a temperature and never as an exception.
/// </summary>
public sealed class Ds18b20Sysfs
{
    /// <summary>Where the kernel lists 1-wire devices.</summary>
    public const string DefaultDevicesRoot = "/sys/bus/w1/devices";

    /// <summary>Directory prefix of DS18B20 devices (family code 0x28).</summary>
    public const string FamilyPrefix = "28-";

    /// <summary>The power-on reset value of the temperature register, 85 °C, as w1_therm prints it.</summary>
    public const int PowerOnMilliCelsius = 85000;

    /// <param name="devicesRoot">The w1 devices directory (a temp directory in tests).</param>
    public Ds18b20Sysfs(string devicesRoot = DefaultDevicesRoot) => DevicesRoot = devicesRoot;

    /// <summary>The w1 devices directory.</summary>
    public string DevicesRoot { get; }

    /// <summary>Ids of the DS18B20s the kernel currently lists, sorted. Empty if the bus is absent.</summary>
    public IReadOnlyList<string> EnumerateSensorIds()
    {
        if (!Directory.Exists(DevicesRoot))
        {
            return [];
        }

        return Directory.EnumerateDirectories(DevicesRoot, FamilyPrefix + "*")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads one sensor (blocks ~750 ms while the kernel runs the conversion).</summary>
    public Ds18b20Reading ReadTemperature(string sensorId)
    {
        string path = W1SlavePath(sensorId);
        try
        {
            return Parse(sensorId, File.ReadAllText(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.MissingFile, $"{path} not found: sensor disconnected?");
        }
        catch (IOException e)
        {
            // w1_therm returns EIO and similar when the device stops answering mid-read.
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.MissingFile, $"{path}: {e.Message}");
        }
    }

    /// <summary>Reads one sensor without blocking a thread during the conversion.</summary>
    public async Task<Ds18b20Reading> ReadTemperatureAsync(string sensorId, CancellationToken cancellationToken = default)
    {
        string path = W1SlavePath(sensorId);
        try
        {
            return Parse(sensorId, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.MissingFile, $"{path} not found: sensor disconnected?");
        }
        catch (IOException e)
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.MissingFile, $"{path}: {e.Message}");
        }
    }

    /// <summary>Reads every listed sensor.</summary>
    public IReadOnlyList<Ds18b20Reading> ReadAll() => EnumerateSensorIds().Select(ReadTemperature).ToList();

    /// <summary>Interprets the text of a w1_slave file.</summary>
    public static Ds18b20Reading Parse(string sensorId, string content)
    {
        string[] lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || !lines[0].Contains("crc=", StringComparison.Ordinal))
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.Malformed, $"expected two lines (crc, t=), got: \"{content.Trim()}\"");
        }

        if (lines[0].EndsWith("NO", StringComparison.Ordinal))
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.CrcMismatch, $"CRC check failed: {lines[0]}");
        }

        if (!lines[0].EndsWith("YES", StringComparison.Ordinal))
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.Malformed, $"CRC line ends in neither YES nor NO: {lines[0]}");
        }

        string scratchpad = lines[0][..lines[0].IndexOf(':', StringComparison.Ordinal)].Trim();
        if (scratchpad.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(b => b == "00"))
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.ZeroScratchpad, "scratchpad is all zeros: data line shorted or no device answering");
        }

        int t = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0 || !int.TryParse(lines[1].AsSpan(t + 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int milli))
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.Malformed, $"no t=<milli °C> in: {lines[1]}");
        }

        if (milli == PowerOnMilliCelsius)
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.PowerOnValue, "t=85000 is the power-on reset value, not a measurement");
        }

        if (milli is < -55000 or > 125000)
        {
            return Ds18b20Reading.Failed(sensorId, Ds18b20Fault.OutOfRange, $"t={milli} is outside −55…+125 °C");
        }

        return new Ds18b20Reading(sensorId, milli / 1000.0, Ds18b20Fault.None);
    }

    private string W1SlavePath(string sensorId) => Path.Combine(DevicesRoot, sensorId, "w1_slave");
}
