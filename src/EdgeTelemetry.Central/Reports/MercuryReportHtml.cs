using System.Globalization;
using System.Net;
using System.Text;
using EdgeTelemetry.Central.Localization;
using static EdgeTelemetry.Central.Reports.MercuryEvidenceCaveats;

namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// The report as one self-contained HTML page (no scripts, fonts or images to fetch) that prints
/// on A4: it states its site, period and generation time at the top and, before any figure, what
/// it cannot vouch for. Every value from the database is HTML-encoded. Texts and number formats
/// are <paramref name="w"/>'s language (Spanish: decimal comma).
/// </summary>
public sealed class MercuryReportHtml(ReportWords w)
{
    private const string Style = """
        @page { size: A4; margin: 15mm 12mm; }
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #000; margin: 0 auto; max-width: 186mm; }
        h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 0.3mm solid #444; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
        table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; page-break-inside: auto; }
        tr { page-break-inside: avoid; } thead { display: table-header-group; }
        th, td { border: 0.2mm solid #888; padding: 0.8mm 1.5mm; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .meta td { border: none; padding: 0 2mm 0 0; }
        .caveats { border: 0.5mm solid #000; padding: 2mm 3mm; margin: 3mm 0; } .caveats h2 { margin-top: 0; }
        .nodata { font-weight: bold; font-size: 11pt; }
        .monitor { page-break-inside: avoid; }
        table.compact { font-size: 8pt; } table.compact td:first-child { word-break: break-all; }
        small { color: #333; }
        .fp { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
        pre.verify { font-size: 8pt; white-space: pre-wrap; word-break: break-all; border: 0.2mm solid #888; padding: 1.5mm; }
        """;

    /// <param name="signingKeyFingerprint">The key the served bytes are signed with (ReportSigningKey), printed so a paper copy names it.</param>
    public string Render(MercuryEvidenceReport r, string signingKeyFingerprint)
    {
        var h = new StringBuilder();
        h.Append($"<!DOCTYPE html>\n<html lang=\"{w.Language}\"><head><meta charset=\"utf-8\"><title>")
         .Append(E(w.Format("html.title", r.Site))).Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        h.Append($"<h1>{E(w["html.heading"])}</h1>\n<table class=\"meta\">")
         .Append(MetaRow(w["meta.site"], r.Site))
         .Append(MetaRow(w["meta.period"], $"{Stamp(r.From)} – {Stamp(r.To)}"))
         .Append(MetaRow(w["meta.generated"], Stamp(r.GeneratedAt)))
         .Append(MetaRow(w["meta.gapThreshold"], $"{Num(r.GapThresholdSeconds)} s"))
         .Append(MetaRow(w["meta.actionLevel"], $"{Num(r.SiteActionLevelUgM3)} µg/m³"))
         .Append($"<tr><td><b>{E(w["meta.signingKey"])}</b></td><td class=\"fp\">{E(signingKeyFingerprint)}</td></tr>")
         .Append("</table>\n");
        h.Append(r.HasData ? $"<p>{E(r.Summary)}</p>\n" : $"<p class=\"nodata\">{E(r.Summary)}</p>\n");

        h.Append($"<div class=\"caveats\"><h2>{E(w["caveats.heading"])}</h2>");
        if (r.NotVouchedFor.Count == 0) h.Append($"<p>{E(w["caveats.none"])}</p>");
        else h.Append("<ul>").Append(string.Concat(r.NotVouchedFor.Select(n => $"<li>{E(n)}</li>"))).Append("</ul>");
        h.Append("</div>\n");

        h.Append($"<h2>{E(w["references.heading"])}</h2>");
        Table(h, [w["col.reference"], "µg/m³", w["col.basis"]], r.References.Select(x => new[] { E(x.Name), N(x.UgM3), E(x.Basis) }));

        h.Append($"<h2>{E(w["monitors.heading"])}</h2>");
        if (r.Monitors.Count == 0) h.Append($"<p class=\"nodata\">{E(w["monitors.none"])}</p>");
        foreach (var m in r.Monitors) Monitor(h, m, r.References);

        h.Append($"<h2>{E(w["gravity.heading"])}</h2>");
        if (r.GravityCircuit.Count == 0) h.Append($"<p>{E(w["gravity.none"])}</p>");
        else Table(h, [w["col.equipment"], w["col.kind"], w["col.operatingHours"], w["col.hoursWithData"], w["col.countedAs"]],
            r.GravityCircuit.Select(x => new[] { E(x.Equipment), E(w.Equipment(x.Kind)), N(x.Hours), N(x.HoursWithData), E(x.Rule) }));

        h.Append($"<h2>{E(w["batches.heading"])}</h2>");
        if (r.Batches.Count == 0) h.Append($"<p>{E(w["batches.none"])}</p>");
        else Table(h, [w["col.batch"], w["col.startUtc"], w["col.endUtc"], w["col.feedKg"], w["col.feedGpt"], w["col.concKg"], w["col.concGpt"], w["col.tailsGpt"], w["col.recoveryPct"], w["col.method"]],
            r.Batches.Select(v => v.Batch).Select(b => new[] { E(b.Id), E(Short(b.Start)), E(Short(b.End)), N(b.FeedMassKg), N(b.FeedGradeGpt),
                N(b.ConcentrateMassKg), N(b.ConcentrateGradeGpt), N(b.TailingsGradeGpt), N(b.Recovery.RecoveryPct), E(b.Recovery.Method is { } method ? w.Recovery(method) : w["batch.notComputable"]) }),
            "compact");

        h.Append($"<h2>{E(w["integrity.heading"])}</h2>");
        Table(h, [w["col.device"], w["col.samples"], w["col.missingBySeq"], w["col.seqRestarts"], w["col.duplicates"], w["col.evicted"], w["col.untrustedClock"], w["col.conflictingReplays"]],
            r.Integrity.Devices.Select(d => new[] { E(d.Device), N(d.SamplesInPeriod), N(d.MissingBySequence), N(d.SequenceRestarts),
                N(d.DuplicatesReceived), N(d.EvictedOnDevice), N(d.UntrustedClockReports), N(d.ConflictingReplays) }));
        if (r.Integrity.Rejected.Count == 0) h.Append($"<p>{E(w["rejected.none"])}</p>");
        else Table(h, [w["col.device"], w["col.rejectionReason"], w["col.count"]], r.Integrity.Rejected.Select(x => new[] { E(x.Device), E(w.Reason(x.Reason)), N(x.Count) }));

        Verification(h, r, signingKeyFingerprint);
        h.Append($"<h2>{E(w["method.heading"])}</h2><ul>").Append(string.Concat(r.Method.Select(m => $"<li><small>{E(m)}</small></li>"))).Append("</ul>\n");
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private void Monitor(StringBuilder h, MonitorEvidence m, IReadOnlyList<ReferenceValue> references)
    {
        h.Append("<div class=\"monitor\"><h3>").Append(E(m.Device)).Append(" — ").Append(E(m.Equipment)).Append("</h3>");
        if (m.Statistics is not { } s)
        {
            h.Append($"<p class=\"nodata\">{E(w.Format("monitor.noReadings", Pct(m.CoveragePct)))}</p></div>");
            return;
        }
        Table(h, [w["col.validReadings"], w["col.signedPct"], w["col.coveragePct"], w["col.mean"], w["col.median"], w["col.p95"], w["col.maxUgM3"], w["col.maxAt"]],
            [[N(m.ValidReadings), N(m.SignedPct), N(m.CoveragePct), N(s.MeanUgM3), N(s.MedianUgM3), N(s.P95UgM3), N(s.MaxUgM3), E(Stamp(s.MaxAt))]]);
        Table(h, [w["col.timeAbove"], "µg/m³", w["col.duration"], w["col.pctOfCovered"]],
            m.TimeAbove.Select(a => new[] { E(references.FirstOrDefault(x => x.Id == a.Reference)?.Name ?? a.Reference), N(a.ReferenceUgM3), E(Duration(a.Seconds)), N(a.PctOfCovered) }));
        if (m.Gaps.Count > 0)
            Table(h, [w["col.gapStart"], w["col.gapEnd"], w["col.length"]], m.Gaps.Select(g => new[] { E(Stamp(g.Start)), E(Stamp(g.End)), E(Duration(g.Seconds)) }));
        if (m.Exceedances.Count == 0) h.Append($"<p>{E(w["exceedances.none"])}</p>");
        else Table(h, [w["col.aboveFrom"], w["col.to"], w["col.duration"], w["col.peak"], w["col.note"]], m.Exceedances.Select(e => new[]
            { E(Stamp(e.Start)), E(Stamp(e.End)), E(Duration(e.DurationSeconds)), N(e.PeakUgM3), e.MayBeLonger ? E(w["exceedance.mayBeLonger"]) : "" }));
        h.Append("</div>\n");
    }

    /// <summary>How to check a saved copy offline; the commands are code, so they stay the same in every language.</summary>
    private void Verification(StringBuilder h, MercuryEvidenceReport r, string fingerprint)
    {
        static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        var url = $"https://<central>/api/reports/mercury?site={Uri.EscapeDataString(r.Site)}&from={Utc(r.From)}&to={Utc(r.To)}&format=json";
        h.Append($"<h2>{E(w["verify.heading"])}</h2><p>{E(w["verify.text"])}</p>\n<pre class=\"verify\">")
         .Append(E($"curl -H \"X-Api-Key: $KEY\" -D report.json.sig -o report.json \"{url}\"\n"))
         .Append(E("curl -H \"X-Api-Key: $KEY\" -o report-key.pem \"https://<central>/api/reports/key?format=pem\"\n"))
         .Append(E("edgetelemetry-central verify-report report.json report.json.sig --key report-key.pem"))
         .Append($"</pre>\n<p>{E(w.Format("verify.expect", fingerprint))}</p>\n");
    }

    private static void Table(StringBuilder h, string[] headers, IEnumerable<string[]> rows, string? cssClass = null)
    {
        h.Append(cssClass is null ? "<table>" : $"<table class=\"{cssClass}\">").Append("<thead><tr>").Append(string.Concat(headers.Select(x => $"<th>{E(x)}</th>"))).Append("</tr></thead><tbody>");
        foreach (var row in rows)
            h.Append("<tr>").Append(string.Concat(row.Select(c => c.StartsWith('\u0001') ? $"<td class=\"n\">{c[1..]}</td>" : $"<td>{c}</td>"))).Append("</tr>");
        h.Append("</tbody></table>\n");
    }

    private static string Short(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string MetaRow(string k, string v) => $"<tr><td><b>{E(k)}</b></td><td>{E(v)}</td></tr>";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    // Numbers are right-aligned: the marker tells Table to use the numeric cell style.
    private string N(double? v) => "\u0001" + (v is { } d ? Num(d) : "—");

    private static string N(long v) => "\u0001" + v.ToString(CultureInfo.InvariantCulture);

    private string Num(double v) => w.Num(v);

    private string Stamp(DateTimeOffset t) => w.Stamp(t);

    private string Pct(double v) => w.Pct(v);
}
