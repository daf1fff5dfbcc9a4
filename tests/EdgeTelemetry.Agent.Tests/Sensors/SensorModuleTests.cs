using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTelemetry.Agent.Tests.Sensors;

/// <summary>Each driver is one module folder: options, checks, adapter, README and a sample config that works.</summary>
public class SensorModuleTests
{
    public static TheoryData<string> Kinds() => [.. SensorModules.Kinds];

    private static string FolderOf(ISensorModule module) =>
        Path.Combine(RepoRoot(), "src", "EdgeTelemetry.Agent", "Sensors", module.GetType().Namespace!.Split('.')[^1]);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Module_folder_holds_its_readme_and_sample_config(string kind)
    {
        var folder = FolderOf(SensorModules.Find(kind)!);
        Assert.True(File.Exists(Path.Combine(folder, "README.md")), $"{folder}/README.md");
        Assert.True(File.Exists(Path.Combine(folder, "sample.yaml")), $"{folder}/sample.yaml");
        Assert.Contains($"`driver: {kind}`", File.ReadAllText(Path.Combine(folder, "README.md")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Sample_config_is_valid_and_its_sensor_reads_values_on_emulated_hardware(string kind)
    {
        var sample = Path.Combine(FolderOf(SensorModules.Find(kind)!), "sample.yaml");
        var options = AgentConfigLoader.Load(AgentConfigLoader.Build(sample, ["--Agent:Hardware=emulated"]), sample);
        var entries = options.Sensors.Select((s, i) => (s, i)).Where(e => e.s.Driver == kind).ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.IsType(SensorModules.Find(kind)!.OptionsType, e.s));

        using var factory = new SensorFactory(options, NullLoggerFactory.Instance);
        foreach (var (entry, index) in entries)
        {
            var sensor = factory.Create(entry, index);
            try
            {
                Assert.NotEmpty(await EmulatedDriverSensorTests.FirstValues(sensor, new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)));
            }
            finally
            {
                (sensor as IDisposable)?.Dispose();
            }
        }
    }

    [Fact]
    public void Adapters_do_not_mention_emulation_only_their_modules_do()
    {
        var root = Path.Combine(RepoRoot(), "src", "EdgeTelemetry.Agent", "Sensors");
        var offenders = SensorModules.All.Select(FolderOf).Distinct()
            .SelectMany(folder => Directory.GetFiles(folder, "*.cs"))
            .Where(f => !f.EndsWith("Module.cs", StringComparison.Ordinal) && !f.EndsWith("Modules.cs", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Emulat", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f));
        Assert.Empty(offenders);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
