using System.Collections.Concurrent;
using EdgeTelemetry.Dashboards.Tests.Grafana;
using EdgeTelemetry.LocalServers;

namespace EdgeTelemetry.Dashboards.Tests;

/// <summary>
/// One real influxd for the whole test run, seeded with an hour of simulated plant data ending
/// when the run starts (<see cref="PlantSeed"/>). Also resolves a dashboard's template variables
/// the way Grafana does on load: query variables by running their InfluxQL against this database,
/// in declaration order, so later variables see earlier ones.
/// </summary>
public sealed class SeededInflux : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, ResolvedVariable>>>> _variables = new();

    public InfluxDbServer Server { get; private set; } = null!;
    public PlantSeed Seed { get; private set; } = null!;

    /// <summary>The dashboard time range the queries run with: the seeded hour.</summary>
    public DateTimeOffset From => Seed.Start;
    public DateTimeOffset To => Seed.End;

    /// <summary>$__interval when the panel sets no minimum: what Grafana picks for 1 h on a ~360-px-wide panel.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    public async Task InitializeAsync()
    {
        Server = await InfluxDbServer.StartAsync();
        Seed = await PlantSeed.BuildAsync(DateTimeOffset.UtcNow);
        await Seed.WriteAsync(Server);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }

    public Task<IReadOnlyList<InfluxSeries>> QueryAsync(string influxQl) => Server.QuerySeriesAsync(DataModel.Database, influxQl);

    public Task<IReadOnlyDictionary<string, ResolvedVariable>> VariablesAsync(DashboardFile dashboard) =>
        _variables.GetOrAdd(dashboard.FileName, _ => new Lazy<Task<IReadOnlyDictionary<string, ResolvedVariable>>>(() => ResolveAsync(dashboard))).Value;

    /// <summary>The query with Grafana's macros and the dashboard's current variable values substituted.</summary>
    public async Task<string> ExpandAsync(DashboardFile dashboard, PanelQuery query)
    {
        var variables = await VariablesAsync(dashboard);
        var interval = query.MinInterval is { } min && GrafanaMacros.ParseInterval(min) > DefaultInterval
            ? GrafanaMacros.ParseInterval(min)
            : DefaultInterval;
        return GrafanaMacros.Expand(query.Query, From, To, interval, variables.ToDictionary(kv => kv.Key, kv => kv.Value.Current));
    }

    private async Task<IReadOnlyDictionary<string, ResolvedVariable>> ResolveAsync(DashboardFile dashboard)
    {
        var resolved = new Dictionary<string, ResolvedVariable>(StringComparer.Ordinal);
        foreach (var v in dashboard.Variables())
        {
            var regex = v.Multi || v.IncludeAll;
            switch (v.Type)
            {
                case "datasource":
                    break; // used in datasource references only, never inside a query
                case "query":
                {
                    var expanded = GrafanaMacros.Expand(v.Query ?? "", From, To, DefaultInterval,
                        resolved.ToDictionary(kv => kv.Key, kv => kv.Value.Current));
                    var series = await QueryAsync(expanded);
                    // SHOW TAG VALUES answers columns [key, value], one series per measurement.
                    var options = series.SelectMany(s => s.Rows.Select(r => Convert.ToString(r[^1], System.Globalization.CultureInfo.InvariantCulture)!))
                        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                    var current = v.CurrentIsAll || v.CurrentValues.Count == 0 ? options : v.CurrentValues.Where(options.Contains).ToList();
                    resolved[v.Name] = new ResolvedVariable(v, expanded, options, new VariableValue(current, regex));
                    break;
                }
                default:
                {
                    // custom / constant / textbox / interval: the value the dashboard opens with.
                    var current = v.CurrentValues.Count > 0 ? v.CurrentValues : [v.Query ?? ""];
                    resolved[v.Name] = new ResolvedVariable(v, null, current, new VariableValue(current, regex));
                    break;
                }
            }
        }
        return resolved;
    }
}

/// <summary>A template variable after resolution: its options and the value queries see.</summary>
public sealed record ResolvedVariable(TemplateVariable Declaration, string? ExpandedQuery, IReadOnlyList<string> Options, VariableValue Current);

[CollectionDefinition(Name)]
public sealed class SeededInfluxCollection : ICollectionFixture<SeededInflux>
{
    public const string Name = "seeded influxd";
}
