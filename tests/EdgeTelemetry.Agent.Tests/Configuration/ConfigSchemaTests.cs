using System.Collections;
using System.Reflection;
using System.Text.Json;
using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Tests.Configuration;

/// <summary>The JSON Schema shipped for editors and CI must describe exactly what the agent binds.</summary>
public class ConfigSchemaTests
{
    [Fact]
    public void Schema_lists_every_setting_the_agent_binds_and_no_other()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "firmware-config", "agent-config.schema.json")));
        var missing = new List<string>();
        Compare(typeof(AgentOptions), schema.RootElement, "", missing);
        Assert.Empty(missing);
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
            if (t.IsClass && t != typeof(string) && child.TryGetProperty("properties", out _)) Compare(t, child, $"{path}{name}.", problems);
        }
        foreach (var p in props.EnumerateObject())
            if (!names.ContainsKey(p.Name)) problems.Add($"{path}{p.Name}: in the schema but not bound");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
