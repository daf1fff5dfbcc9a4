using System.Globalization;
using EdgeTelemetry.Central.Localization;
using EdgeTelemetry.Localization;
using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Central.Apis;

/// <summary>
/// <c>GET /page-text</c>: the built-in page's texts, the display names of alarm rules, channels,
/// equipment kinds and recovery methods, and
/// the number separators, in the request's language. Public like the page itself (no plant data in it).
/// </summary>
public static class PageTextApi
{
    public static IEndpointRouteBuilder MapPageText(this IEndpointRouteBuilder app)
    {
        app.MapGet("/page-text", (IStringLocalizer<PageText> text, IStringLocalizer<DomainText> names) =>
        {
            var lang = SiteCulture.LanguageOf(CultureInfo.CurrentUICulture);
            var numbers = SiteCulture.For(lang).NumberFormat;
            var domain = names.GetAllStrings(includeParentCultures: true).ToList();
            Dictionary<string, string> Prefixed(string prefix) =>
                domain.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(s => s.Name[prefix.Length..], s => s.Value);
            return Results.Json(new
            {
                lang,
                locale = lang == "es" ? "es-PE" : "en-GB",
                @decimal = numbers.NumberDecimalSeparator,
                group = numbers.NumberGroupSeparator,
                texts = text.GetAllStrings(includeParentCultures: true).ToDictionary(s => s.Name, s => s.Value),
                alarms = Prefixed("alarm."),
                channels = Prefixed("channel."),
                equipment = Prefixed("equipment."),
                recovery = Prefixed("recovery."),
            });
        }).AllowAnonymous();
        return app;
    }
}
