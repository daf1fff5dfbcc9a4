using System.Text.Json;

namespace EdgeTelemetry.Dashboards.Tests.Grafana;

/// <summary>A template variable as the dashboard JSON declares it.</summary>
public sealed record TemplateVariable(
    string Name,
    string Type,
    string? Query,
    bool Multi,
    bool IncludeAll,
    IReadOnlyList<string> CurrentValues,
    JsonElement Element)
{
    public bool CurrentIsAll => CurrentValues.Contains("$__all");
}

/// <summary>One InfluxQL target of one panel.</summary>
public sealed record PanelQuery(string Dashboard, int PanelId, string PanelTitle, string PanelType, string RefId,
    string Query, string ResultFormat, string? MinInterval)
{
    public override string ToString() => $"{Dashboard} #{PanelId} '{PanelTitle}' [{RefId}]";
}

/// <summary>A dashboard JSON file from dashboards/json, read with System.Text.Json.</summary>
public sealed class DashboardFile
{
    private DashboardFile(string path, JsonDocument document)
    {
        Path = path;
        Document = document;
    }

    public string Path { get; }
    public string FileName => System.IO.Path.GetFileName(Path);
    public JsonDocument Document { get; }
    public JsonElement Root => Document.RootElement;
    public string Title => Root.GetProperty("title").GetString()!;
    public string Uid => Root.GetProperty("uid").GetString()!;

    public static DashboardFile Load(string path) =>
        new(path, JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow }));

    public static IReadOnlyList<string> All() =>
        Directory.GetFiles(RepoPaths.DashboardJsonDir, "*.json").OrderBy(p => p, StringComparer.Ordinal).ToList();

    /// <summary>Every panel, including those nested in collapsed rows.</summary>
    public IEnumerable<JsonElement> Panels()
    {
        if (!Root.TryGetProperty("panels", out var panels)) yield break;
        foreach (var p in panels.EnumerateArray())
        {
            yield return p;
            if (p.TryGetProperty("panels", out var nested))
                foreach (var n in nested.EnumerateArray()) yield return n;
        }
    }

    /// <summary>Panels that draw data (not rows or text).</summary>
    public IEnumerable<JsonElement> DataPanels() => Panels().Where(p => p.TryGetProperty("targets", out _));

    public IReadOnlyList<TemplateVariable> Variables()
    {
        var list = new List<TemplateVariable>();
        if (!Root.TryGetProperty("templating", out var templating) || !templating.TryGetProperty("list", out var vars)) return list;
        foreach (var v in vars.EnumerateArray())
        {
            string? query = null;
            if (v.TryGetProperty("query", out var q))
            {
                query = q.ValueKind == JsonValueKind.Object ? q.GetProperty("query").GetString() : q.GetString();
            }
            var current = new List<string>();
            if (v.TryGetProperty("current", out var c) && c.TryGetProperty("value", out var value))
            {
                if (value.ValueKind == JsonValueKind.Array) current.AddRange(value.EnumerateArray().Select(e => e.GetString()!));
                else if (value.ValueKind == JsonValueKind.String) current.Add(value.GetString()!);
            }
            list.Add(new TemplateVariable(
                v.GetProperty("name").GetString()!,
                v.GetProperty("type").GetString()!,
                query,
                v.TryGetProperty("multi", out var m) && m.GetBoolean(),
                v.TryGetProperty("includeAll", out var a) && a.GetBoolean(),
                current,
                v));
        }
        return list;
    }

    public IReadOnlyList<PanelQuery> Queries()
    {
        var list = new List<PanelQuery>();
        foreach (var p in DataPanels())
        {
            var id = p.GetProperty("id").GetInt32();
            var title = p.GetProperty("title").GetString() ?? "";
            var type = p.GetProperty("type").GetString() ?? "";
            var interval = p.TryGetProperty("interval", out var i) ? i.GetString() : null;
            foreach (var t in p.GetProperty("targets").EnumerateArray())
            {
                list.Add(new PanelQuery(FileName, id, title, type,
                    t.GetProperty("refId").GetString()!,
                    t.GetProperty("query").GetString()!,
                    t.TryGetProperty("resultFormat", out var f) ? f.GetString()! : "time_series",
                    interval));
            }
        }
        return list;
    }

    /// <summary>Every datasource reference: panels, targets and template variables.</summary>
    public IEnumerable<(string Where, JsonElement Datasource)> DatasourceReferences()
    {
        foreach (var p in Panels())
        {
            var title = p.TryGetProperty("title", out var t) ? t.GetString() : "?";
            if (p.TryGetProperty("datasource", out var ds)) yield return ($"panel '{title}'", ds);
            if (p.TryGetProperty("targets", out var targets))
                foreach (var target in targets.EnumerateArray())
                    if (target.TryGetProperty("datasource", out var tds))
                        yield return ($"panel '{title}' target {target.GetProperty("refId").GetString()}", tds);
        }
        foreach (var v in Variables())
            if (v.Type == "query" && v.Element.TryGetProperty("datasource", out var vds))
                yield return ($"variable {v.Name}", vds);
    }
}

/// <summary>Finds the repository from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();
    public static string DashboardsDir => System.IO.Path.Combine(Root, "dashboards");
    public static string DashboardJsonDir => System.IO.Path.Combine(DashboardsDir, "json");
    public static string ProvisioningDir => System.IO.Path.Combine(DashboardsDir, "provisioning");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeTelemetry.sln")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "dashboards")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"repository root (EdgeTelemetry.sln beside dashboards/) not found above {AppContext.BaseDirectory}");
    }
}
