namespace EdgeTelemetry.Model;

/// <summary>
/// The unit symbols the wire accepts. ASCII on purpose: they travel in JSON, CSV headers and
/// Grafana legends, and survive any terminal. docs/data-model.md shows each with its display form.
/// </summary>
public static class Units
{
    public const string Rpm = "rpm";
    public const string GForce = "G";
    public const string KiloPascal = "kPa";
    public const string Bar = "bar";
    public const string LitresPerMinute = "L/min";
    public const string Litres = "L";
    public const string TonnesPerHour = "t/h";
    public const string Percent = "%";
    public const string PercentSolids = "%solids";
    public const string Celsius = "degC";
    public const string RelativeHumidity = "%RH";
    public const string HectoPascal = "hPa";
    public const string Pascal = "Pa";
    public const string Ampere = "A";
    public const string MilliAmpere = "mA";
    public const string Volt = "V";
    public const string Kilogram = "kg";
    public const string StrokesPerMinute = "spm";
    public const string Millimetre = "mm";
    public const string Hertz = "Hz";
    public const string StandardGravity = "g";
    public const string MicrogramPerCubicMetre = "ug/m3";
    public const string NanogramPerCubicMetre = "ng/m3";
    public const string Second = "s";
    public const string Count = "count";
    public const string Byte = "B";
    public const string None = "1";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        Rpm, GForce, KiloPascal, Bar, LitresPerMinute, Litres, TonnesPerHour, Percent, PercentSolids,
        Celsius, RelativeHumidity, HectoPascal, Pascal, Ampere, MilliAmpere, Volt, Kilogram,
        StrokesPerMinute, Millimetre, Hertz, StandardGravity, MicrogramPerCubicMetre,
        NanogramPerCubicMetre, Second, Count, Byte, None,
    };
}
