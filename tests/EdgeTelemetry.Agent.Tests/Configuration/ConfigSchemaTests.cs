using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sensors;

namespace EdgeTelemetry.Agent.Tests.Configuration;

/// <summary>The JSON Schema shipped for editors and CI must describe exactly what the agent binds.</summary>
public class ConfigSchemaTests
{
    private static string SchemaPath => Path.Combine(RepoRoot(), "firmware-config", "agent-config.schema.json");

    [Fact]
    public void Schema_lists_every_setting_the_agent_binds_and_no_other()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        var missing = new List<string>();
        Compare(typeof(AgentOptions), schema.RootElement, "", missing);
        Assert.Empty(missing);
    }

    [Fact]
    public void Schema_names_each_registered_driver_kind_once_and_no_other()
    {
        var items = JsonNode.Parse(File.ReadAllText(SchemaPath))!["properties"]!["sensors"]!["items"]!;
        var enumerated = items["properties"]!["driver"]!["enum"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        var branches = items["allOf"]!.AsArray().Select(b => b!["if"]!["properties"]!["driver"]!["const"]!.GetValue<string>()).ToList();

        Assert.Equal(SensorModules.Kinds, enumerated);
        Assert.Equal(SensorModules.Kinds, branches);
        Assert.Equal(SensorModules.Kinds.Count, SensorModules.Kinds.Distinct().Count());
    }

    [Fact]
    public void Sensor_entries_in_the_schema_are_the_ones_generated_from_the_modules()
    {
        var shipped = JsonNode.Parse(File.ReadAllText(SchemaPath))!["properties"]!["sensors"]!["items"];
        var generated = SensorSchema.Items(SensorModules.All);

        Assert.True(JsonNode.DeepEquals(shipped, generated),
            "firmware-config/agent-config.schema.json is out of date: run `dotnet run --project src/EdgeTelemetry.Agent -- config-schema firmware-config/agent-config.schema.json`");
    }

    private static void Compare(Type type, JsonElement node, string path, List<string> problems)
    {
        var props = node.GetProperty("properties");
        var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);
        foreach (var (name, property) in names)
        {
            if (!props.TryGetProperty(name, out var child)) { problems.Add($"{path}{name}: bound but not in the schema"); continue; }
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t)) { t = t.GetGenericArguments()[0]; child = child.GetProperty("items"); }
            if (t == typeof(SensorOptions)) CompareSensorKinds(child, $"{path}{name}.", problems);
            else if (t.IsClass && t != typeof(string) && child.TryGetProperty("properties", out _)) Compare(t, child, $"{path}{name}.", problems);
        }
        foreach (var p in props.EnumerateObject())
            if (!names.ContainsKey(p.Name)) problems.Add($"{path}{p.Name}: in the schema but not bound");
    }

    /// <summary>Each driver kind's branch against the options type its module binds.</summary>
    private static void CompareSensorKinds(JsonElement items, string path, List<string> problems)
    {
        foreach (var branch in items.GetProperty("allOf").EnumerateArray())
        {
            var kind = branch.GetProperty("if").GetProperty("properties").GetProperty("driver").GetProperty("const").GetString();
            if (SensorModules.Find(kind) is not { } module) { problems.Add($"{path}{kind}: in the schema but no module has this kind"); continue; }
            Compare(module.OptionsType, branch.GetProperty("then"), $"{path}{kind}.", problems);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
