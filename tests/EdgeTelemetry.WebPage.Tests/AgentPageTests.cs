using System.Device.Gpio;
using System.Text.Json;
using Microsoft.Playwright;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>The page the agent serves on the site network, in headless Chromium, with the broker unreachable.</summary>
[Collection(LivePlantCollection.Name)]
public sealed class AgentPageTests(LivePlant plant, AgentOnSite agent) : IClassFixture<AgentOnSite>
{
    private async Task<IPage> OpenAsync(WatchedPage watched, string? lang = null)
    {
        var page = watched.Page;
        await page.GotoAsync(new Uri(agent.PageAddress, lang is null ? "/" : "/?lang=" + lang).ToString());
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true' && document.querySelectorAll('[data-channel]').length >= 6",
            null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
        return page;
    }

    [RequiresChromiumFact]
    public async Task Page_shows_every_channel_with_unit_and_range_the_active_alarm_link_backlog_and_clock_in_english()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 390, 844, touch: true);
        var page = await OpenAsync(watched, "en");

        var rows = await page.Locator("[data-channel]").EvaluateAllAsync<JsonElement>("els => els.map(e => ({ id: e.dataset.channel, text: e.innerText }))");
        var bowl = rows.EnumerateArray().Single(r => r.GetProperty("id").GetString() == "knelson-md30-1.bowl_speed").GetProperty("text").GetString()!;
        Assert.Contains("Bowl speed", bowl);
        Assert.Matches(@"\d+ rpm", bowl);
        Assert.Contains("Plausible range: 0–2,000 rpm", bowl);
        Assert.Matches(@"\d\.\d\d t/h", await page.InnerTextAsync("[data-channel='knelson-md30-1.feed_rate']"));
        Assert.Contains(rows.EnumerateArray(), r => r.GetProperty("id").GetString() == "smelting-area.hg");

        var alarm = await page.InnerTextAsync("#active [data-alarm='smelting-area.hg_above_tlv']");
        Assert.Contains("Mercury vapour above the ACGIH TLV", alarm);
        Assert.Contains("Critical", alarm);
        Assert.Equal("never", await page.GetAttributeAsync("#link", "data-state"));
        Assert.Contains("Not connected since start", await page.InnerTextAsync("#link"));
        // The first samples reach the buffer within its commit interval; the page shows them on its next poll.
        await Assertions.Expect(page.Locator("#oldest-unsent")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("s ago|min ago"));
        Assert.Matches(@"^[1-9][\d,]*$", await page.InnerTextAsync("#backlog"));
        Assert.Contains("Trusted", await page.InnerTextAsync("#clock"));

        await AssertFitsAPhoneAsync(page);
        Assert.All(watched.Requests, url => Assert.StartsWith(agent.PageAddress.ToString(), url));
        Assert.Empty(watched.Errors);
        await Screenshots.SaveAsync(page, "agent-page-en.png", docsName: "agent-page-en.png");
    }

    [RequiresChromiumFact]
    public async Task A_spanish_phone_gets_spanish_texts_and_decimal_commas_from_its_accept_language()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 390, 844, touch: true, locale: "es-PE");
        var page = await OpenAsync(watched);

        Assert.Equal("es", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Alarmas activas", await page.InnerTextAsync("#active-h"));
        Assert.Contains("Vapor de mercurio sobre el TLV de la ACGIH", await page.InnerTextAsync("#active"));
        var feed = await page.InnerTextAsync("[data-channel='knelson-md30-1.feed_rate']");
        Assert.Contains("Alimentación", feed);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(feed, @"\d,\d\d\s*t/h"), feed); // es-PE: decimal comma
        Assert.Contains("Sin conexión desde el arranque", await page.InnerTextAsync("#link"));
        // What a screen reader says too.
        Assert.Equal("Enlace, búfer y reloj", await page.GetAttributeAsync("#status", "aria-label"));
        Assert.Equal("Idioma", await page.GetAttributeAsync("#languages", "aria-label"));
        Assert.Empty(watched.Errors);
        await Screenshots.SaveAsync(page, "agent-page-es.png", docsName: "agent-page-es.png");
    }

    [RequiresChromiumFact]
    public async Task Acknowledge_needs_the_pin_silences_the_buzzer_and_marks_the_alarm_acknowledged()
    {
        await using var watched = await WatchedPage.OpenAsync(plant.Browser, 390, 844, touch: true);
        var page = await OpenAsync(watched, "en");
        Assert.Equal(PinValue.High, agent.Gpio.Level(AgentOnSite.BuzzerPin));

        await page.FillAsync("#pin", "1111");
        await page.ClickAsync("#ack button[type=submit]");
        await Assertions.Expect(page.Locator("#ack-result")).ToHaveTextAsync("Wrong PIN");
        Assert.Equal(PinValue.High, agent.Gpio.Level(AgentOnSite.BuzzerPin));

        await page.FillAsync("#pin", AgentOnSite.Pin);
        await page.ClickAsync("#ack button[type=submit]");
        await Assertions.Expect(page.Locator("#active [data-alarm='smelting-area.hg_above_tlv']")).ToHaveAttributeAsync("data-acknowledged", "true");
        Assert.Contains("acknowledged on this page", await page.InnerTextAsync("#active"));
        Assert.Equal(PinValue.Low, agent.Gpio.Level(AgentOnSite.BuzzerPin));
        Assert.False(await page.Locator("#ack").IsVisibleAsync()); // nothing left to acknowledge
        // The wrong PIN's 403 is the only error the browser reports.
        Assert.All(watched.Errors, e => Assert.Contains("403", e));
    }

    private static async Task AssertFitsAPhoneAsync(IPage page)
    {
        var layout = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll("body *")].filter(e => e.getClientRects().length > 0)
                .filter(e => e.getBoundingClientRect().right > width + 0.5).map(e => `${e.tagName}#${e.id}.${e.className}`);
              const small = [...document.querySelectorAll("button, input, a")].filter(e => e.getClientRects().length > 0)
                .filter(e => e.getBoundingClientRect().height < 44).map(e => `${e.tagName}#${e.id} h=${e.getBoundingClientRect().height}`);
              return { scrollWidth: document.documentElement.scrollWidth, width, wide, small };
            }
            """);
        Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= layout.GetProperty("width").GetInt32(), "the page scrolls sideways");
        Assert.Empty(layout.GetProperty("wide").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(layout.GetProperty("small").EnumerateArray().Select(e => e.GetString()));
    }
}
