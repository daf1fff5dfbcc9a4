using EdgeTelemetry.Dashboards.Tests.Grafana;
using EdgeTelemetry.Dashboards.Tests.InfluxQl;

namespace EdgeTelemetry.Dashboards.Tests;

public class DataModelReferenceTests
{
    public static TheoryData<string, string, string> AllQueries()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var path in DashboardFile.All())
        {
            var d = DashboardFile.Load(path);
            foreach (var q in d.Queries()) data.Add(d.FileName, $"panel {q.PanelId} '{q.PanelTitle}' [{q.RefId}]", q.Query);
            foreach (var v in d.Variables().Where(v => v.Type == "query")) data.Add(d.FileName, $"variable {v.Name}", v.Query!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllQueries))]
    public void Query_references_only_measurements_fields_and_tags_the_data_model_defines(string dashboard, string where, string query)
    {
        var expanded = ExpandForChecker(DashboardFile.Load(Path.Combine(RepoPaths.DashboardJsonDir, dashboard)), query);

        var result = InfluxQlReferences.Check(expanded);

        Assert.True(result.Problems.Count == 0, $"{dashboard} {where}:{Environment.NewLine}{string.Join(Environment.NewLine, result.Problems)}{Environment.NewLine}{expanded}");
        if (where.StartsWith("panel")) Assert.NotEmpty(result.Measurements);
    }

    /// <summary>The checker reads InfluxQL, so Grafana's macros are substituted first; values do not
    /// matter for references, so multi-value variables get placeholders and the others their default.</summary>
    private static string ExpandForChecker(DashboardFile d, string query)
    {
        var values = d.Variables().ToDictionary(v => v.Name,
            v => new VariableValue(v.CurrentValues.Count > 0 && !v.CurrentIsAll ? v.CurrentValues : ["placeholder-1", "placeholder-2"], v.Multi || v.IncludeAll));
        var to = DateTimeOffset.UtcNow;
        return GrafanaMacros.Expand(query, to.AddHours(-1), to, TimeSpan.FromSeconds(10), values);
    }

    [Fact]
    public void Service_measurement_list_matches_the_names_the_brief_and_data_model_use()
    {
        // The list in DataModel.cs is the single place naming them; guard the spelling of the four
        // that the dashboards depend on and that the telemetry catalogue does not hold.
        var names = DataModel.ServiceMeasurements.Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "device_status", "agent_health", "alarm", "process_batch" }, names);
        Assert.Empty(names.Intersect(DataModel.TelemetryMeasurements.Select(m => m.Name)));
        Assert.Equal(["equipment", "site"], DataModel.Measurements["process_batch"].Tags.Order());
        Assert.Contains("recovery_pct", DataModel.Measurements["process_batch"].Fields);
        Assert.Contains("hg", DataModel.Measurements["mercury_vapour"].Fields); // from Channels.All
    }

    [Fact]
    public void Dashboards_together_use_every_service_measurement_they_were_built_for()
    {
        var used = new HashSet<string>();
        foreach (var path in DashboardFile.All())
        {
            var d = DashboardFile.Load(path);
            foreach (var q in d.Queries()) used.UnionWith(InfluxQlReferences.Check(ExpandForChecker(d, q.Query)).Measurements);
        }
        Assert.Superset(used, new HashSet<string> { "device_status", "agent_health", "alarm", "process_batch", "centrifuge", "shaking_table", "mercury_vapour" });
    }
}
