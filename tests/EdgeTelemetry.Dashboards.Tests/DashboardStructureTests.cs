using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeTelemetry.Dashboards.Tests.Grafana;

namespace EdgeTelemetry.Dashboards.Tests;

public class DashboardStructureTests
{
    public static TheoryData<string> Dashboards()
    {
        var data = new TheoryData<string>();
        foreach (var path in DashboardFile.All()) data.Add(Path.GetFileName(path));
        return data;
    }

    private static DashboardFile Load(string file) => DashboardFile.Load(Path.Combine(RepoPaths.DashboardJsonDir, file));

    [Fact]
    public void The_three_dashboards_exist_with_distinct_uids_and_titles()
    {
        var files = DashboardFile.All().Select(Path.GetFileName).ToList();
        Assert.Equal(["mercury-verification.json", "plant-operations.json", "recovery-research.json"], files);
        var dashboards = files.Select(f => Load(f!)).ToList();
        Assert.Equal(3, dashboards.Select(d => d.Uid).Distinct().Count());
        Assert.Equal(3, dashboards.Select(d => d.Title).Distinct().Count());
        Assert.All(dashboards, d => Assert.True(d.Uid.Length <= 40, "Grafana limits uids to 40 characters"));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_parses_as_a_current_grafana_dashboard_importable_without_inputs(string file)
    {
        var d = Load(file);
        var root = d.Root;
        Assert.InRange(root.GetProperty("schemaVersion").GetInt32(), 36, 41);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("id").ValueKind); // import creates it
        Assert.False(root.TryGetProperty("__inputs", out _), "provisioned files must not need import inputs");
        Assert.False(string.IsNullOrWhiteSpace(d.Title));
        Assert.NotEmpty(root.GetProperty("description").GetString()!);
        var allowed = new HashSet<string> { "row", "text", "timeseries", "stat", "table", "state-timeline" };
        Assert.All(d.Panels(), p => Assert.Contains(p.GetProperty("type").GetString()!, allowed));
        Assert.DoesNotContain("[[", File.ReadAllText(d.Path)); // deprecated variable syntax
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_has_multi_value_site_and_equipment_variables_from_influxql_tag_values(string file)
    {
        var vars = Load(file).Variables().ToDictionary(v => v.Name);
        var site = vars["site"];
        Assert.Equal("query", site.Type);
        Assert.Equal("SHOW TAG VALUES WITH KEY = \"site\"", site.Query);
        var equipment = vars["equipment"];
        Assert.Equal("query", equipment.Type);
        Assert.Contains("WITH KEY = \"equipment\"", equipment.Query);
        Assert.Contains("\"site\" =~ /^$site$/", equipment.Query); // equipment of the chosen sites only
        Assert.All([site, equipment], v =>
        {
            Assert.True(v.Multi && v.IncludeAll, $"{v.Name}: multi-value with All");
            Assert.True(v.CurrentIsAll, $"{v.Name}: opens on All");
        });
        // Variables are declared before the ones that use them (Grafana resolves them in order).
        var order = Load(file).Variables().Select(v => v.Name).ToList();
        Assert.True(order.IndexOf("site") < order.IndexOf("equipment"));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Panel_ids_are_unique_and_panels_fit_the_24_column_grid(string file)
    {
        var panels = Load(file).Panels().ToList();
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var p in panels)
        {
            var pos = p.GetProperty("gridPos");
            Assert.True(pos.GetProperty("x").GetInt32() + pos.GetProperty("w").GetInt32() <= 24, $"panel {p.GetProperty("id")} overflows the grid");
            Assert.True(pos.GetProperty("h").GetInt32() > 0);
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_data_panel_has_a_description_and_raw_influxql_targets_with_unique_ref_ids(string file)
    {
        foreach (var p in Load(file).DataPanels())
        {
            var title = p.GetProperty("title").GetString();
            Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString()), $"'{title}' has no description");
            var targets = p.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            Assert.All(targets, t =>
            {
                Assert.True(t.GetProperty("rawQuery").GetBoolean(), $"'{title}': raw InfluxQL");
                Assert.Contains(t.GetProperty("resultFormat").GetString(), new[] { "time_series", "table" });
                Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("query").GetString()));
            });
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_datasource_reference_resolves_to_the_provisioned_datasource_uid(string file)
    {
        var d = Load(file);
        var provisioned = Provisioning.DatasourceUid;
        // Panels use the "datasource" variable, which opens on the provisioned uid; by hand-import
        // into a Grafana without that uid it falls back to an InfluxDB data source the user picks.
        var dsVar = d.Variables().Single(v => v.Name == "datasource");
        Assert.Equal("datasource", dsVar.Type);
        Assert.Equal("influxdb", dsVar.Query);
        Assert.Equal([provisioned], dsVar.CurrentValues);

        var references = d.DatasourceReferences().ToList();
        Assert.NotEmpty(references);
        foreach (var (where, ds) in references)
        {
            Assert.Equal("influxdb", ds.GetProperty("type").GetString());
            var uid = ds.GetProperty("uid").GetString();
            var resolved = uid == "${datasource}" ? dsVar.CurrentValues.Single() : uid;
            Assert.True(resolved == provisioned, $"{where} references data source uid '{uid}', not the provisioned '{provisioned}'");
        }
        // Every data panel names its data source (no reliance on Grafana's default data source).
        Assert.All(d.DataPanels(), p => Assert.True(p.TryGetProperty("datasource", out _), $"panel '{p.GetProperty("title")}' has no datasource"));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Multi_value_variables_appear_only_as_whole_regex_matches(string file)
    {
        // Grafana formats a multi-value/All variable as (a|b) for InfluxDB: correct inside
        // =~ /^$var$/, wrong inside '$var' or "$var".
        var d = Load(file);
        var multi = d.Variables().Where(v => v.Multi || v.IncludeAll).Select(v => v.Name).ToList();
        var queries = d.Queries().Select(q => q.Query).Concat(d.Variables().Select(v => v.Query ?? ""));
        foreach (var q in queries)
        {
            foreach (var name in multi)
            {
                var uses = Regex.Matches(q, $@"\$\{{?{name}\b").Count;
                var regexUses = Regex.Matches(q, $@"=~ /\^\${name}\$/").Count;
                Assert.True(uses == regexUses, $"${name} outside '=~ /^${name}$/' in: {q}");
            }
        }
    }
}
