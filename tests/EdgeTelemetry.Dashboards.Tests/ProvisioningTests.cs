using System.Text.RegularExpressions;
using EdgeTelemetry.Dashboards.Tests.Grafana;
using YamlDotNet.RepresentationModel;

namespace EdgeTelemetry.Dashboards.Tests;

public class ProvisioningTests
{
    [Fact]
    public void Datasource_is_influxdb_speaking_influxql_to_database_edgetelemetry_with_uid_edgetelemetry_influx()
    {
        var ds = Provisioning.Datasource();
        Assert.Equal("1", Provisioning.Scalar(Provisioning.Load(Provisioning.DatasourceFile), "apiVersion"));
        Assert.Equal("influxdb", Provisioning.Scalar(ds, "type"));
        Assert.Equal("edgetelemetry-influx", Provisioning.Scalar(ds, "uid"));
        Assert.Equal("proxy", Provisioning.Scalar(ds, "access"));
        Assert.Equal("InfluxQL", Provisioning.Scalar(ds, "jsonData", "version"));
        Assert.Equal(DataModel.Database, Provisioning.Scalar(ds, "jsonData", "dbName"));
        Assert.Equal(DataModel.Database, Provisioning.Scalar(ds, "database"));
    }

    [Fact]
    public void Datasource_url_comes_from_EDGETELEMETRY_INFLUX_URL_whose_default_is_in_grafana_env()
    {
        Assert.Equal("${EDGETELEMETRY_INFLUX_URL}", Provisioning.Scalar(Provisioning.Datasource(), "url"));
        var defaults = Provisioning.EnvDefaults();
        Assert.True(Uri.TryCreate(defaults["EDGETELEMETRY_INFLUX_URL"], UriKind.Absolute, out var url), "the default URL is absolute");
        Assert.Equal("http", url!.Scheme);
        // Every variable any provisioning file expands has a line in the env file, so none expands to
        // nothing by accident (Grafana's ${VAR} has no default syntax).
        foreach (var file in Directory.GetFiles(RepoPaths.ProvisioningDir, "*.yaml", SearchOption.AllDirectories))
        {
            var withoutComments = string.Join('\n', File.ReadAllLines(file).Select(l => l.TrimStart().StartsWith('#') ? "" : l));
            foreach (Match m in Regex.Matches(withoutComments, @"\$\{?([A-Z_][A-Z0-9_]*)\}?"))
                Assert.True(defaults.ContainsKey(m.Groups[1].Value), $"{Path.GetFileName(file)} expands ${m.Groups[1].Value}, which grafana.env does not define");
        }
    }

    [Fact]
    public void Dashboard_provider_loads_files_from_the_path_the_readme_says_to_mount_dashboards_json_at()
    {
        var provider = (YamlMappingNode)((YamlSequenceNode)Provisioning.Load(Provisioning.DashboardProviderFile)["providers"]).Children.Single();
        Assert.Equal("file", Provisioning.Scalar(provider, "type"));
        var path = Provisioning.Scalar(provider, "options", "path");
        Assert.StartsWith("/", path);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.DashboardsDir, "README.md"));
        Assert.Contains(path, readme);
        Assert.NotEmpty(DashboardFile.All());
    }
}
