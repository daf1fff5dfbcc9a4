using System.Net;
using System.Text.Json;
using EdgeTelemetry.LineProtocol;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Reports;

/// <summary>The mercury report in Spanish and English: chosen by ?lang=, Accept-Language and the site's default.</summary>
[Collection(InfluxCollection.Name)]
public class MercuryReportLanguageTests(InfluxFixture influx) : IAsyncLifetime
{
    private const string Url = "/api/reports/mercury?site=md-test&from=2026-03-03T10:00:00Z&to=2026-03-03T11:00:00Z";
    private static readonly DateTimeOffset T0 = At("2026-03-03T10:00:00Z");
    private CentralHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await CentralHost.StartAsync(influx.Server, null, null, "--Localization:Sites:md-es=es");
        var points = new List<Point>();
        for (var m = 0; m < 30; m++)
        {
            points.Add(Telemetry("mercury_vapour", "hg-monitor-01", "smelting-area", T0.AddMinutes(m), m + 1, ("hg", m < 25 ? 0.25 : 12.5)));
            points.Add(Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T0.AddMinutes(m), 100 + m, ("bowl_speed", 400)));
        }
        await _host.WriteAsync(points);
        // A rejected message, a batch by mass balance and one still waiting for its assays (a warning).
        await _host.WriteAsync($"""
            rejects,site=md-test,device=hg-monitor-01,reason=unit_mismatch topic="t",detail="hg in ppm",seq=70i {Seed.Ns(T0.AddMinutes(10))}
            process_batch,equipment=icon-i150-1,site=md-test batch_id="md-test.icon-i150-1.20260303T100000Z",end_ns={Seed.Ns(T0.AddMinutes(20))}i,feed_mass_kg=1200,feed_grade_gpt=12,concentrate_mass_kg=9.6,concentrate_grade_gpt=1200,recovery_pct=80,recovery_method="mass_balance" {Seed.Ns(T0)}
            process_batch,equipment=icon-i150-1,site=md-test batch_id="md-test.icon-i150-1.20260303T102000Z",end_ns={Seed.Ns(T0.AddMinutes(40))}i,feed_mass_kg=900 {Seed.Ns(T0.AddMinutes(20))}
            """);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> Html(string url, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        using var response = await _host.Client("technician").SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Non-ASCII letters arrive as character references (WebUtility.HtmlEncode); compare the text a browser shows.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Html_in_spanish_has_spanish_headings_caveats_method_and_decimal_commas()
    {
        var html = await Html(Url + "&format=html&lang=es");

        Assert.Contains("<html lang=\"es\">", html);
        Assert.Contains("Evidencia de eliminación del mercurio", html);
        Assert.Contains("Datos que este informe no puede garantizar", html);
        Assert.Contains("vacío(s) sin lecturas válidas", html); // the 10:29–11:00 gap, as a caveat
        Assert.Contains("Guía de calidad del aire de la OMS", html);
        Assert.Contains("Un tramo de más de 300 s sin lectura válida es un vacío", html);
        Assert.Contains("03/03/2026 10:00:00 UTC", html);
        Assert.Contains("<td class=\"n\">0,2</td>", html); // ATSDR MRL 0.2 µg/m³ with a decimal comma
        Assert.DoesNotContain("Data this report cannot vouch for", html);
        await Screenshot(html, "mercury-report-es.png");
    }

    [Fact]
    public async Task Accept_language_picks_spanish_and_the_lang_parameter_wins_over_it()
    {
        Assert.Contains("Evidencia de eliminación del mercurio", await Html(Url + "&format=html", "es-PE,es;q=0.9"));
        var english = await Html(Url + "&format=html&lang=en", "es-PE");
        Assert.Contains("Mercury-elimination evidence", english);
        Assert.Contains("<td class=\"n\">0.2</td>", english);
        await Screenshot(english, "mercury-report-en.png");
    }

    [Fact]
    public async Task A_site_configured_for_spanish_gets_spanish_when_the_request_names_no_language()
    {
        var html = await Html(Url.Replace("site=md-test", "site=md-es") + "&format=html");
        Assert.Contains("Evidencia de eliminación del mercurio", html);
        Assert.Contains("Mercury-elimination evidence", await Html(Url + "&format=html"));
    }

    [Fact]
    public async Task Json_keeps_english_field_names_and_plain_numbers_with_spanish_texts()
    {
        var (status, body) = await _host.Client("technician").GetJsonAsync(Url + "&lang=es");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("1 monitor(es) de mercurio en el sitio md-test", body.GetProperty("summary").GetString());
        Assert.Contains(body.GetProperty("notVouchedFor").EnumerateArray(), n => n.GetString()!.Contains("vacío(s)"));
        var who = body.GetProperty("references").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "who_guideline");
        Assert.Equal("Guía de calidad del aire de la OMS", who.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, who.GetProperty("ugM3").ValueKind);
    }

    [Fact]
    public async Task Equipment_kinds_recovery_methods_operating_rules_rejections_and_batch_warnings_are_in_spanish()
    {
        var html = await Html(Url + "&format=html&lang=es");
        Assert.Contains("<td>Concentrador centrífugo</td>", html); // the gravity circuit's kind, not "centrifuge"
        Assert.Contains("<td>minutos cuya media de velocidad del tazón alcanzó 60 rpm</td>", html);
        Assert.Contains("<td>balance de masas</td>", html);
        Assert.Contains("<td>la unidad no corresponde al canal</td>", html);
        Assert.Contains("rechazado(s) (la unidad no corresponde al canal)", html);
        Assert.DoesNotContain("mass_balance", html);
        Assert.DoesNotContain("minutes with mean", html);

        var (_, json) = await _host.Client("technician").GetJsonAsync(Url + "&lang=es");
        var centrifuge = json.GetProperty("gravityCircuit").EnumerateArray().Single();
        Assert.Equal("centrifuge", centrifuge.GetProperty("kind").GetString()); // ids stay English in JSON
        Assert.Equal("minutos cuya media de velocidad del tazón alcanzó 60 rpm", centrifuge.GetProperty("rule").GetString());
        var pending = json.GetProperty("batches").EnumerateArray().Single(b => b.GetProperty("id").GetString()!.EndsWith("102000Z"));
        Assert.StartsWith("recuperación aún no calculable", Assert.Single(pending.GetProperty("warnings").EnumerateArray()).GetString());
        Assert.Equal("unit_mismatch", json.GetProperty("integrity").GetProperty("rejected")[0].GetProperty("reason").GetString());

        var (_, english) = await _host.Client("technician").GetJsonAsync(Url + "&lang=en");
        Assert.Equal("minutes whose mean bowl speed reached 60 rpm", english.GetProperty("gravityCircuit")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public async Task The_batches_api_gives_its_warnings_in_the_requests_language()
    {
        const string batches = "/api/batches?site=md-test&from=2026-03-03T10:00:00Z&to=2026-03-03T11:00:00Z";
        using var request = new HttpRequestMessage(HttpMethod.Get, batches);
        request.Headers.AcceptLanguage.ParseAdd("es-PE");
        using var response = await _host.Client("technician").SendAsync(request);
        var spanish = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var (_, english) = await _host.Client("technician").GetJsonAsync(batches + "&lang=en");

        string Warning(JsonElement list) => list.GetProperty("batches").EnumerateArray().SelectMany(b => b.GetProperty("warnings").EnumerateArray()).Single().GetString()!;
        Assert.StartsWith("recuperación aún no calculable", Warning(spanish));
        Assert.StartsWith("recovery not yet computable", Warning(english));
    }

    /// <summary>The report as a browser prints it, for docs/images (with EDGETELEMETRY_UPDATE_DOCS_SCREENSHOT=1, Chromium installed).</summary>
    private static async Task Screenshot(string html, string name)
    {
        if (Environment.GetEnvironmentVariable("EDGETELEMETRY_UPDATE_DOCS_SCREENSHOT") != "1" || !File.Exists("/usr/bin/chromium")) return;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) dir = dir.Parent!;
        var file = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".html");
        await File.WriteAllTextAsync(file, html);
        using var chromium = System.Diagnostics.Process.Start("/usr/bin/chromium",
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1400", $"--screenshot={Path.Combine(dir.FullName, "docs", "images", name)}", "file://" + file])!;
        await chromium.WaitForExitAsync();
        File.Delete(file);
    }
}
