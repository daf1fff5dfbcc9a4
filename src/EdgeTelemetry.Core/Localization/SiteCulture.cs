using System.Globalization;

namespace EdgeTelemetry.Localization;

/// <summary>
/// The two languages people read the system in, and how numbers are written in each. Spanish is
/// formatted for Peru with a decimal comma and thin-space thousands (SI style, as Peru's legal
/// metrology writes them) — set explicitly, because CLDR's es-PE writes a decimal point. CSV and JSON
/// never use these: they stay invariant.
/// </summary>
public static class SiteCulture
{
    public static readonly string[] Languages = ["en", "es"];

    /// <summary>"es" for any Spanish culture, else "en".</summary>
    public static string LanguageOf(CultureInfo culture) => culture.Name.StartsWith("es", StringComparison.Ordinal) ? "es" : "en";

    /// <summary>The formatting culture for a language ("es" → es-PE with a decimal comma; else en-GB).</summary>
    public static CultureInfo For(string language)
    {
        var culture = (CultureInfo)CultureInfo.GetCultureInfo(language == "es" ? "es-PE" : "en-GB").Clone();
        if (language == "es")
        {
            var n = culture.NumberFormat;
            n.NumberDecimalSeparator = n.PercentDecimalSeparator = n.CurrencyDecimalSeparator = ",";
            n.NumberGroupSeparator = n.PercentGroupSeparator = n.CurrencyGroupSeparator = "\u202F";
        }
        return CultureInfo.ReadOnly(culture);
    }
}
