using EdgeTelemetry.Localization;
using Microsoft.AspNetCore.Localization;

namespace EdgeTelemetry.Central.Localization;

/// <summary><c>Localization:</c> the language when a request names none it can have.</summary>
public sealed class LocalizationOptions
{
    public const string Section = "Localization";
    /// <summary>"en" or "es".</summary>
    public string DefaultLanguage { get; set; } = "en";
    /// <summary>Per-site default, e.g. <c>Localization:Sites:md-huepetuhe-01=es</c>.</summary>
    public Dictionary<string, string> Sites { get; set; } = [];
}

/// <summary>
/// es or en per request, through ASP.NET Core's request localization: <c>?lang=</c> first, then the
/// browser's Accept-Language, then the default of the <c>?site=</c> asked about, then the service's default.
/// Resources are resx files read through IStringLocalizer.
/// </summary>
public static class CentralLocalization
{
    public const string LanguageParameter = "lang";

    public static IHostApplicationBuilder AddCentralLocalization(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<LocalizationOptions>(builder.Configuration.GetSection(LocalizationOptions.Section));
        builder.Services.AddLocalization();
        return builder;
    }

    public static WebApplication UseCentralLocalization(this WebApplication app)
    {
        var o = app.Configuration.GetSection(LocalizationOptions.Section).Get<LocalizationOptions>() ?? new LocalizationOptions();
        app.UseRequestLocalization(l =>
        {
            l.SetDefaultCulture(Known(o.DefaultLanguage)).AddSupportedCultures(SiteCulture.Languages).AddSupportedUICultures(SiteCulture.Languages);
            l.FallBackToParentCultures = l.FallBackToParentUICultures = true;
            l.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = LanguageParameter, UIQueryStringKey = LanguageParameter },
                new AcceptLanguageHeaderRequestCultureProvider(),
                new CustomRequestCultureProvider(http => Task.FromResult(
                    http.Request.Query["site"].ToString() is { Length: > 0 } site && o.Sites.TryGetValue(site, out var lang)
                        ? new ProviderCultureResult(Known(lang)) : null)),
            ];
        });
        return app;
    }

    private static string Known(string language) => SiteCulture.Languages.Contains(language) ? language : "en";
}
