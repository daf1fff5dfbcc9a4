using EdgeTelemetry.Model;
using UnitsNet;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// The one place where a driver's quantity becomes a number in the channel catalogue's wire unit: each quantity type
/// has exactly one wire unit, so passing a pressure where a temperature belongs does not compile, and a wrong
/// conversion shows up in this file's tests.
/// </summary>
public static class WireUnits
{
    /// <summary>°C.</summary>
    public static Reading Reading(string channel, Temperature value, int decimals) =>
        new(channel, Math.Round(value.DegreesCelsius, decimals), Units.Celsius);

    /// <summary>hPa, as barometric pressure is reported.</summary>
    public static Reading Reading(string channel, Pressure value, int decimals) =>
        new(channel, Math.Round(value.Hectopascals, decimals), Units.HectoPascal);

    /// <summary>%RH.</summary>
    public static Reading Reading(string channel, RelativeHumidity value, int decimals) =>
        new(channel, Math.Round(value.Percent, decimals), Units.RelativeHumidity);

    /// <summary>kg.</summary>
    public static Reading Reading(string channel, Mass value, int decimals) =>
        new(channel, Math.Round(value.Kilograms, decimals), Units.Kilogram);

    /// <summary>V.</summary>
    public static Reading Reading(string channel, ElectricPotential value, int decimals) =>
        new(channel, Math.Round(value.Volts, decimals), Units.Volt);

    /// <summary>mA, as 4–20 mA loops are reported.</summary>
    public static Reading Reading(string channel, ElectricCurrent value, int decimals) =>
        new(channel, Math.Round(value.Milliamperes, decimals), Units.MilliAmpere);

    /// <summary>g (standard gravity), as vibration amplitude is reported.</summary>
    public static Reading Reading(string channel, Acceleration value, int decimals) =>
        new(channel, Math.Round(value.StandardGravity, decimals), Units.StandardGravity);

    /// <summary>Hz.</summary>
    public static Reading Reading(string channel, Frequency value, int decimals) =>
        new(channel, Math.Round(value.Hertz, decimals), Units.Hertz);
}
