using Microsoft.Playwright;

namespace EdgeTelemetry.WebPage.Tests;

public static class Screenshots
{
    /// <summary>
    /// A full-page screenshot in TestResults/ under the test's output directory; with
    /// EDGETELEMETRY_UPDATE_DOCS_SCREENSHOT=1 also copied to docs/images/<paramref name="docsName"/>.
    /// </summary>
    public static async Task SaveAsync(IPage page, string name, string docsName)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (Environment.GetEnvironmentVariable("EDGETELEMETRY_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            var docs = Path.Combine(RepoRoot(), "docs", "images");
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, docsName), overwrite: true);
        }
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new InvalidOperationException("EdgeTelemetry.sln not found above " + AppContext.BaseDirectory);
    }
}
