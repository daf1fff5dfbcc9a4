using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Localization;

/// <summary>
/// Names shown to people for what the data model names by id: equipment profiles, channels, alarm rules,
/// severities, recovery methods (DomainText.resx, DomainText.es.resx; terms as the field uses them, docs/glossary.md).
/// Ids stay English in topics, InfluxDB and JSON; only their display names are translated.
/// </summary>
public sealed class DomainText
{
    public static string Alarm(IStringLocalizer<DomainText> text, string rule) => Named(text, "alarm." + rule, rule);
    public static string Channel(IStringLocalizer<DomainText> text, string channel) => Named(text, "channel." + channel, channel);
    public static string Equipment(IStringLocalizer<DomainText> text, string profile) => Named(text, "equipment." + profile, profile);
    public static string Recovery(IStringLocalizer<DomainText> text, string method) => Named(text, "recovery." + method, method);
    public static string Severity(IStringLocalizer<DomainText> text, string severity) => Named(text, "severity." + severity, severity);

    /// <summary>A configured rule or channel without a translation shows its id, readably.</summary>
    private static string Named(IStringLocalizer text, string key, string id)
    {
        var s = text[key];
        return s.ResourceNotFound ? id.Replace('_', ' ') : s.Value;
    }
}
