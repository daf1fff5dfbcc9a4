using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>
/// The built-in page at <c>/</c> in headless Chromium against the real central service, reading an
/// hour of the demo plant from a real influxd.
/// </summary>
[Collection(LivePlantCollection.Name)]
public sealed class BuiltInPageTests(LivePlant plant)
{
    private static readonly string[] Devices = ["centrifuge-01", "hg-monitor-01", "table-01"];

    /// <summary>The reference values the mercury chart must draw (µg/m³): ATSDR MRL, WHO, the site's action level (demo default), ACGIH TLV.</summary>
    private static readonly Dictionary<string, double> References = new()
    {
        ["atsdr_mrl"] = 0.2, ["who_guideline"] = 1, ["site_action_level"] = 10, ["acgih_tlv"] = 25,
    };

    private string PageUrl(string? key = null) =>
        new Uri(plant.BaseAddress, key is null ? "/" : "/?key=" + Uri.EscapeDataString(key)).ToString();

    [RequiresChromiumFact]
    public async Task Page_shows_the_fleet_live_charts_mercury_thresholds_and_batches_without_console_errors()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 1280, 900);
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("technician")));
        await WaitForDataAsync(page);

        // The fleet: the three stations, online, with last-seen times; the table's alarm is open.
        var cards = await page.Locator("#fleet [data-device]").EvaluateAllAsync<JsonElement>(
            "els => els.map(e => ({ device: e.dataset.device, state: e.dataset.state, text: e.innerText }))");
        Assert.Equal(Devices, cards.EnumerateArray().Select(c => c.GetProperty("device").GetString()).Order());
        Assert.All(cards.EnumerateArray(), c =>
        {
            Assert.Equal("online", c.GetProperty("state").GetString());
            Assert.Contains("ONLINE", c.GetProperty("text").GetString());
            Assert.Matches(@"Last seen\s+\d+ (s|min) ago", c.GetProperty("text").GetString());
        });
        var table = cards.EnumerateArray().Single(c => c.GetProperty("device").GetString() == "table-01").GetProperty("text").GetString()!;
        Assert.Contains("Table stopped while feeding", table); // the rule's display name (DomainText.resx)

        // Live charts: the mercury chart and one per process station, each with points drawn.
        var drawn = await page.EvaluateAsync<Dictionary<string, int>>(
            "() => Object.fromEntries(Object.entries(window.edgeTelemetry.charts).map(([id, u]) => " +
            "[id, u.data.slice(1).reduce((n, s) => n + s.filter(v => v != null).length, 0)]))");
        Assert.Equal(["mercury", "station-centrifuge-01-centrifuge", "station-table-01-shaking_table"], drawn.Keys.Order());
        Assert.All(drawn, kv => Assert.True(kv.Value >= 60, $"{kv.Key} has {kv.Value} points; an hour at 30 s is ~120 per series"));
        Assert.True(await InkedPixelsAsync(page, "#hg-chart") > 2_000, "the mercury chart's canvas has nothing drawn");
        Assert.True(await InkedPixelsAsync(page, "[data-chart='station-centrifuge-01-centrifuge'] .chart") > 2_000, "the centrifuge chart's canvas has nothing drawn");

        // Mercury: every reference value is listed with its value.
        var refs = await page.Locator("#hg-legend [data-reference]").EvaluateAllAsync<JsonElement>(
            "els => els.map(e => ({ id: e.dataset.reference, value: Number(e.dataset.value), text: e.innerText }))");
        Assert.Equal(References.Keys.Order(), refs.EnumerateArray().Select(r => r.GetProperty("id").GetString()).Order());
        foreach (var r in refs.EnumerateArray())
            Assert.Equal(References[r.GetProperty("id").GetString()!], r.GetProperty("value").GetDouble());
        Assert.Contains("WHO", await page.InnerTextAsync("#hg-legend"));
        Assert.Contains("ACGIH", await page.InnerTextAsync("#hg-legend"));

        // Recent batches with their recovery.
        var batchRows = await page.Locator("#batches tbody tr").CountAsync();
        Assert.True(batchRows >= 3, $"{batchRows} batch rows; the hour holds {plant.Hour.Batches}");
        Assert.Matches(@"\d+(\.\d)? %", await page.InnerTextAsync("#batches tbody tr:first-child"));

        // Offline sites: everything came from the central service itself (no CDN).
        Assert.All(watched.Requests, url => Assert.StartsWith(plant.BaseAddress.ToString(), url));
        Assert.Empty(watched.Errors);

        await Screenshots.SaveAsync(page, "webpage-desktop.png", docsName: "builtin-page.png");
    }

    [RequiresChromiumFact]
    public async Task On_a_375_px_phone_nothing_overflows_and_buttons_are_large_enough_to_touch()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 375, 740, touch: true);
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("technician")));
        await WaitForDataAsync(page);

        var layout = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll("body *")]
                .filter(e => e.getClientRects().length > 0)
                .filter(e => e.getBoundingClientRect().right > width + 0.5 || e.getBoundingClientRect().left < -0.5)
                .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`);
              const small = [...document.querySelectorAll("button, select, input, a")]
                .filter(e => e.getClientRects().length > 0)
                .filter(e => e.getBoundingClientRect().height < 44)
                .map(e => `${e.tagName.toLowerCase()}#${e.id} h=${e.getBoundingClientRect().height}`);
              return { width, scrollWidth: document.documentElement.scrollWidth, wide, small,
                       charts: [...document.querySelectorAll(".chart canvas")].map(c => c.getBoundingClientRect().width) };
            }
            """);
        Assert.Equal(375, layout.GetProperty("width").GetInt32());
        Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= 375, $"page scrolls sideways: scrollWidth {layout.GetProperty("scrollWidth")}");
        Assert.Empty(layout.GetProperty("wide").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(layout.GetProperty("small").EnumerateArray().Select(e => e.GetString()));
        Assert.All(layout.GetProperty("charts").EnumerateArray(), w => Assert.InRange(w.GetDouble(), 250, 375));
        Assert.Empty(watched.Errors);

        await Screenshots.SaveAsync(page, "webpage.png", docsName: "builtin-page-phone.png");
    }

    [RequiresChromiumFact]
    public async Task Without_a_key_the_page_asks_once_a_refused_key_gets_a_clear_prompt_and_a_good_one_is_remembered()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 414, 800, touch: true);
        var page = watched.Page;
        await page.GotoAsync(PageUrl());
        await Assertions.Expect(page.Locator("#key-panel")).ToBeVisibleAsync();
        Assert.False(await page.Locator("#content").IsVisibleAsync());
        Assert.DoesNotContain(watched.Requests, u => u.Contains("/api/", StringComparison.Ordinal)); // nothing asked without a key

        await page.FillAsync("#key-input", "not-a-key-of-this-site");
        await page.ClickAsync("#key-form button[type=submit]");
        await Assertions.Expect(page.Locator("#key-message")).ToContainTextAsync("not accepted (401)");
        Assert.True(await page.Locator("#key-panel").IsVisibleAsync());
        // The refused request is the only error the browser reports (Chromium logs any 401 response).
        Assert.All(watched.Errors, e => Assert.Contains("401", e));
        var refused = watched.Errors.Count;

        await page.FillAsync("#key-input", plant.KeyFor("operator"));
        await page.ClickAsync("#key-form button[type=submit]");
        await WaitForDataAsync(page);
        Assert.False(await page.Locator("#key-panel").IsVisibleAsync());

        // A new visit to / (no ?key=) uses the remembered key without asking.
        await page.GotoAsync(PageUrl());
        await WaitForDataAsync(page);
        Assert.False(await page.Locator("#key-panel").IsVisibleAsync());
        Assert.Equal(3, await page.Locator("#fleet [data-device]").CountAsync());
        Assert.Equal(refused, watched.Errors.Count);
    }

    [RequiresChromiumFact]
    public async Task The_page_refreshes_itself_about_every_ten_seconds()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 1024, 768);
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("operator")));
        await WaitForDataAsync(page);
        var first = await page.EvaluateAsync<int>("() => window.edgeTelemetry.refreshes");
        var clock = Stopwatch.StartNew();
        await page.WaitForFunctionAsync($"() => window.edgeTelemetry.refreshes > {first}", null, new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 200 });
        Assert.InRange(clock.Elapsed.TotalSeconds, 8, 16);
        Assert.Matches(@"Updated \d{2}:\d{2}:\d{2}", await page.InnerTextAsync("#status"));
        Assert.Empty(watched.Errors);
    }

    /// <summary>Waits until a refresh completed (fleet listed, charts built).</summary>
    [RequiresChromiumFact]
    public async Task A_spanish_browser_gets_the_page_in_spanish_with_field_terms_and_decimal_commas()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 1280, 900, locale: "es-PE");
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("technician")));
        await WaitForDataAsync(page);

        Assert.Equal("es", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Equipos", await page.InnerTextAsync("#fleet-title"));
        Assert.Equal("Lotes recientes", await page.InnerTextAsync("#batches-title"));
        var table = await page.InnerTextAsync("#fleet [data-device='table-01']");
        Assert.Contains("EN LÍNEA", table);
        Assert.Contains("Mesa vibratoria detenida con alimentación", table);
        Assert.Matches(@"Visto por última vez\s+hace \d+ (s|min)", table);
        Assert.Matches(@"\d+,\d %", await page.InnerTextAsync("#batches tbody")); // recoveries with a decimal comma
        Assert.Matches(@"Actualizado \d{2}:\d{2}:\d{2}", await page.InnerTextAsync("#status"));
        Assert.Empty(watched.Errors);

        await Screenshots.SaveAsync(page, "webpage-es.png", docsName: "builtin-page-es.png");
    }

    [RequiresChromiumFact]
    public async Task The_lang_parameter_wins_over_the_browser_language()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 1024, 768, locale: "es-PE");
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("operator")) + "&lang=en");
        await WaitForDataAsync(page);
        Assert.Equal("Devices", await page.InnerTextAsync("#fleet-title"));
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
    }

    [RequiresChromiumFact]
    public async Task With_lang_es_chart_legends_equipment_kinds_references_recovery_methods_and_warnings_are_spanish()
    {
        // An English browser: ?lang=es alone decides, for the page's texts and for the API's (reference names, warnings).
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 1280, 900, locale: "en-US");
        var page = watched.Page;
        await page.GotoAsync(PageUrl(plant.KeyFor("technician")) + "&lang=es");
        await WaitForDataAsync(page);

        var centrifuge = await page.InnerTextAsync("[data-chart='station-centrifuge-01-centrifuge']");
        Assert.Contains("Concentrador centrífugo", centrifuge);
        Assert.Contains("Velocidad del tazón", centrifuge);
        Assert.Contains("Presión del agua de fluidización", centrifuge);
        var table = await page.InnerTextAsync("[data-chart='station-table-01-shaking_table']");
        Assert.Contains("Mesa vibratoria", table);
        Assert.Contains("Frecuencia de golpes", table);
        Assert.Contains("Caudal del agua de lavado", table);

        var mercury = await page.InnerTextAsync("#hg-legend");
        Assert.Contains("Guía de calidad del aire de la OMS", mercury);
        Assert.Contains("Nivel de acción del sitio", mercury);
        Assert.Contains("MRL de inhalación crónica de la ATSDR", mercury);
        Assert.Equal("promedio anual", await page.GetAttributeAsync("#hg-legend [data-reference='who_guideline']", "title"));

        var methods = await page.Locator("#batches .method").AllInnerTextsAsync();
        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.Equal("balance de masas", m));
        var warning = page.Locator("#batches .warning");
        Assert.Equal("revisar ensayos", await warning.InnerTextAsync());
        Assert.StartsWith("recuperación aún no calculable", await warning.GetAttributeAsync("title"));

        // No English left (ids such as centrifuge-01 stay) in the charts' legends, the stations' headings, the references or the batches.
        var shown = string.Join("\n", centrifuge, table, mercury, await page.InnerTextAsync("#batches"));
        foreach (var english in new[] { "bowl speed", "fluidisation", "stroke rate", "wash water", "Centrifugal", "shaking table",
                     "WHO", "air-quality", "Site action level", "chronic", "mass balance", "check assays", "Equipment", "Recovery" })
            Assert.DoesNotContain(english, shown, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(watched.Errors);
    }

    private static Task WaitForDataAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.edgeTelemetry && window.edgeTelemetry.refreshes > 0",
            null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

    /// <summary>Non-transparent pixels on the canvases under a selector.</summary>
    private static Task<int> InkedPixelsAsync(IPage page, string selector) =>
        page.EvaluateAsync<int>("""
            sel => [...document.querySelectorAll(sel + " canvas")].reduce((n, c) => {
              const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
              for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
              return n;
            }, 0)
            """, selector);
}
