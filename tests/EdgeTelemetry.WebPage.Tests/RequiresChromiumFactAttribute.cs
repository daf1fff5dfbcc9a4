namespace EdgeTelemetry.WebPage.Tests;

/// <summary>A fact that is skipped, saying why, when no Chromium is installed (scripts/test.sh installs Debian's).</summary>
public sealed class RequiresChromiumFactAttribute : FactAttribute
{
    public RequiresChromiumFactAttribute()
    {
        if (Chromium.ExecutablePath is null)
        {
            Skip = "needs Chromium: set EDGETELEMETRY_CHROMIUM or install Debian's chromium (scripts/test.sh does)";
        }
    }
}
