using System.Globalization;
using EdgeTelemetry.Localization;
using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Central.Localization;

/// <summary>The mercury evidence report's human-readable texts and the batch advice the API and the report give (ReportText.resx, ReportText.es.resx).</summary>
public sealed class ReportText;

/// <summary>
/// The report's texts and formats in one language: the request's UI culture picks the resources, and
/// <see cref="SiteCulture"/> the number and date formats (es: decimal comma). JSON numbers and CSV stay invariant.
/// </summary>
public sealed class ReportWords(IStringLocalizer<ReportText> text, IStringLocalizer<DomainText> names)
{
    public string Language { get; } = SiteCulture.LanguageOf(CultureInfo.CurrentUICulture);
    public CultureInfo Culture => SiteCulture.For(Language);

    public string this[string key] => text[key];

    public string Format(string key, params object[] args) => string.Format(Culture, text[key], args);

    public string Num(double v) => v.ToString(Math.Abs(v) >= 100 ? "0.#" : "0.###", Culture);

    public string Pct(double v) => v.ToString("0.##", Culture);

    /// <summary>UTC times: ISO order in English (as before), day first in Spanish.</summary>
    public string Stamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString(Language == "es" ? "dd/MM/yyyy HH:mm:ss 'UTC'" : "yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public string Period(DateTimeOffset from, DateTimeOffset to) => Format("period", Stamp(from), Stamp(to));

    /// <summary>A reference value's name and basis in this language (the id and value stay).</summary>
    public Reports.ReferenceValue Translate(Reports.ReferenceValue r) =>
        r with { Name = Named($"ref.{r.Id}.name", r.Name), Basis = Named($"ref.{r.Id}.basis", r.Basis) };

    /// <summary>Display names of what the data names by id (DomainText: shared with both pages).</summary>
    public string Channel(string field) => DomainText.Channel(names, field);

    public string Equipment(string profile) => DomainText.Equipment(names, profile);

    public string Recovery(string method) => DomainText.Recovery(names, method);

    /// <summary>A dead-letter reason code (Rejection.Code) in words; the code itself stays in JSON and CSV.</summary>
    public string Reason(string code) => Named($"reject.{code}", code);

    private string Named(string key, string fallback) => text[key] is { ResourceNotFound: false } s ? s.Value : fallback;
}
