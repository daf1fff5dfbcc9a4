using System.Xml.Linq;

namespace EdgeTelemetry.Core.Tests.Localization;

/// <summary>Every text shown to people exists in English and in Spanish: a key in one language only fails here.</summary>
public class ResourceParityTests
{
    public static TheoryData<string> ResourceFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot(), "src"), "*.resx", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/") && !f.EndsWith(".es.resx", StringComparison.Ordinal)).Order())
            data.Add(Path.GetRelativePath(RepoRoot(), f));
        return data;
    }

    [Fact]
    public void The_agent_page_the_central_page_the_report_the_export_and_the_domain_names_all_have_resources()
    {
        var files = ((IEnumerable<object[]>)ResourceFiles()).Select(r => (string)r[0]).ToList();
        Assert.Contains(files, f => f.EndsWith("DomainText.resx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("Agent/LocalPage/PageText.resx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("Central/Localization/PageText.resx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("ExportText.resx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("ReportText.resx", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void Spanish_and_english_resources_have_the_same_keys_and_no_empty_text(string english)
    {
        var spanish = english[..^".resx".Length] + ".es.resx";
        Assert.True(File.Exists(Path.Combine(RepoRoot(), spanish)), $"{spanish} is missing");
        var en = Texts(english);
        var es = Texts(spanish);
        Assert.Empty(en.Keys.Except(es.Keys).Select(k => $"{k}: only in {english}"));
        Assert.Empty(es.Keys.Except(en.Keys).Select(k => $"{k}: only in {spanish}"));
        Assert.Empty(en.Concat(es).Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => $"{kv.Key} is empty"));
        // A placeholder missing in one language would drop a number from the text.
        foreach (var (key, text) in en)
            Assert.Equal(Placeholders(text), Placeholders(es[key]));
    }

    private static Dictionary<string, string> Texts(string relative) =>
        XDocument.Load(Path.Combine(RepoRoot(), relative)).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");

    private static string[] Placeholders(string text) =>
        [.. System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Distinct().Order()];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
