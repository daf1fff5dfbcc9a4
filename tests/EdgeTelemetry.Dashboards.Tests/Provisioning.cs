using YamlDotNet.RepresentationModel;

namespace EdgeTelemetry.Dashboards.Tests;

/// <summary>The provisioning files, read as YAML, and the env file that gives their variables defaults.</summary>
public static class Provisioning
{
    public static string DatasourceFile => Path.Combine(Grafana.RepoPaths.ProvisioningDir, "datasources", "edgetelemetry.yaml");
    public static string DashboardProviderFile => Path.Combine(Grafana.RepoPaths.ProvisioningDir, "dashboards", "edgetelemetry.yaml");
    public static string EnvFile => Path.Combine(Grafana.RepoPaths.DashboardsDir, "grafana.env");

    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Datasource() => (YamlMappingNode)((YamlSequenceNode)Load(DatasourceFile)["datasources"]).Children.Single();

    /// <summary>The uid the dashboards must reference.</summary>
    public static string DatasourceUid => Scalar(Datasource(), "uid");

    public static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path) current = ((YamlMappingNode)current)[key];
        return ((YamlScalarNode)current).Value ?? "";
    }

    public static IReadOnlyDictionary<string, string> EnvDefaults() =>
        File.ReadAllLines(EnvFile)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
