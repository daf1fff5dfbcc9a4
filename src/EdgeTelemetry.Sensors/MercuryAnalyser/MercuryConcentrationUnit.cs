namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>Mass concentration units mercury analysers report in.</summary>
public enum MercuryConcentrationUnit
{
    /// <summary>ng/m³ (Lumex RA-915 class). 1000 ng/m³ = 1 µg/m³.</summary>
    NanogramsPerCubicMetre,

    /// <summary>µg/m³ — the unit this project stores and compares with reference values.</summary>
    MicrogramsPerCubicMetre,

    /// <summary>mg/m³ (Jerome J405 class, occupational limits). 1 mg/m³ = 1000 µg/m³.</summary>
    MilligramsPerCubicMetre,
}

/// <summary>Conversions and parsing for <see cref="MercuryConcentrationUnit"/>.</summary>
public static class MercuryUnits
{
    /// <summary>The stored unit's symbol.</summary>
    public const string MicrogramsPerCubicMetreSymbol = "µg/m³";

    /// <summary>Converts to µg/m³: ng/m³ ÷ 1000, mg/m³ × 1000.</summary>
    public static double ToMicrogramsPerCubicMetre(double value, MercuryConcentrationUnit unit) => unit switch
    {
        MercuryConcentrationUnit.NanogramsPerCubicMetre => value / 1000.0,
        MercuryConcentrationUnit.MicrogramsPerCubicMetre => value,
        MercuryConcentrationUnit.MilligramsPerCubicMetre => value * 1000.0,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown unit."),
    };

    /// <summary>Converts from µg/m³ to <paramref name="unit"/>.</summary>
    public static double FromMicrogramsPerCubicMetre(double microgramsPerCubicMetre, MercuryConcentrationUnit unit) => unit switch
    {
        MercuryConcentrationUnit.NanogramsPerCubicMetre => microgramsPerCubicMetre * 1000.0,
        MercuryConcentrationUnit.MicrogramsPerCubicMetre => microgramsPerCubicMetre,
        MercuryConcentrationUnit.MilligramsPerCubicMetre => microgramsPerCubicMetre / 1000.0,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown unit."),
    };

    /// <summary>
    /// Parses "ng/m3", "ng/m³", "ug/m3", "µg/m³" (micro sign U+00B5 or Greek mu U+03BC), "mcg/m3", "mg/m3",
    /// case-insensitive, spaces ignored.
    /// </summary>
    public static bool TryParse(string? text, out MercuryConcentrationUnit unit)
    {
        unit = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string t = text.Replace(" ", string.Empty, StringComparison.Ordinal).Replace('³', '3').Replace('μ', 'µ').ToLowerInvariant();
        switch (t)
        {
            case "ng/m3":
                unit = MercuryConcentrationUnit.NanogramsPerCubicMetre;
                return true;
            case "ug/m3" or "µg/m3" or "mcg/m3":
                unit = MercuryConcentrationUnit.MicrogramsPerCubicMetre;
                return true;
            case "mg/m3":
                unit = MercuryConcentrationUnit.MilligramsPerCubicMetre;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The symbol of a unit.</summary>
    public static string Symbol(this MercuryConcentrationUnit unit) => unit switch
    {
        MercuryConcentrationUnit.NanogramsPerCubicMetre => "ng/m³",
        MercuryConcentrationUnit.MicrogramsPerCubicMetre => MicrogramsPerCubicMetreSymbol,
        MercuryConcentrationUnit.MilligramsPerCubicMetre => "mg/m³",
        _ => unit.ToString(),
    };
}
