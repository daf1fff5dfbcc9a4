using Microsoft.Playwright;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>
/// Debian's chromium driven by Microsoft.Playwright (its bundled driver talks to the browser over
/// CDP; no browser is downloaded). The flags keep a headless Chromium off the network: on a closed
/// network its background connections otherwise fail and disturb the page's own requests.
/// </summary>
public static class Chromium
{
    public static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static string? ExecutablePath { get; } = Find();

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("EDGETELEMETRY_CHROMIUM");
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        return new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium" }.FirstOrDefault(File.Exists);
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath ?? throw new InvalidOperationException("no chromium"),
                Headless = true,
                Args = Args,
                Timeout = 60_000,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}

/// <summary>A page in its own browser context (own localStorage) that records console errors, uncaught exceptions and every request.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<string> _requests = [];

    private WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, msg) =>
        {
            if (msg.Type is "error" or "assert") lock (_errors) _errors.Add($"console.{msg.Type}: {msg.Text} ({msg.Location})");
        };
        page.PageError += (_, error) => { lock (_errors) _errors.Add("uncaught: " + error); };
        page.Request += (_, request) => { lock (_requests) _requests.Add(request.Url); };
        page.RequestFailed += (_, request) => { lock (_errors) _errors.Add($"request failed: {request.Url} {request.Failure}"); };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors { get { lock (_errors) return [.. _errors]; } }
    public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

    /// <param name="locale">The browser's language: what it sends as Accept-Language.</param>
    public static async Task<WatchedPage> OpenAsync(IBrowser browser, int width, int height, bool touch = false, string locale = "en-GB")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            HasTouch = touch,
            IsMobile = touch,
            Locale = locale,
            TimezoneId = "America/Lima",
        });
        return new WatchedPage(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
