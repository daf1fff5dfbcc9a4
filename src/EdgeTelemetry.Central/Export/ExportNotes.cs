using System.Globalization;
using EdgeTelemetry.Central.Localization;
using EdgeTelemetry.Localization;
using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Central.Export;

/// <summary>
/// The notes at the top of a researcher export, as <c># </c> lines in the request's language
/// (ExportText.resx, ExportText.es.resx): what the file holds, how rows are made, each column's name
/// for people. Only the words change with the language: times stay ISO 8601 UTC and numbers invariant,
/// as in the table, so the notes never hold a decimal comma.
/// </summary>
public sealed class ExportNotes(IStringLocalizer<ExportText> text, IStringLocalizer<DomainText> names)
{
    public const string Prefix = "# ";

    public IReadOnlyList<string> For(ExportRequest r, DateTimeOffset generatedAt)
    {
        var lines = new List<string>
        {
            text["title"],
            Format("scope", r.Site, r.Equipment, Iso(r.From), Iso(r.To), Iso(generatedAt)),
            Format("rows", $"{(long)r.Every.TotalSeconds} s"),
            text["numbers"],
        };
        if (r.Channels.Count == 0) lines.Add(text["noChannels"]);
        foreach (var c in r.Channels)
            lines.Add(Format("column", c.Header, DomainText.Channel(names, c.Field), DomainText.Equipment(names, c.Measurement)));
        if (r.Batches is not null) lines.Add(text["batches"]);
        lines.Add(text["read"]);
        // A note is one line whatever a field key holds: a line break would start a table row.
        return lines.Select(l => Prefix + l.ReplaceLineEndings(" ")).ToList();
    }

    private string Format(string key, params object[] args) => string.Format(CultureInfo.InvariantCulture, text[key], args);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
