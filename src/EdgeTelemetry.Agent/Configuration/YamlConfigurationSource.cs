using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>
/// Loads a YAML file into .NET configuration (maps become sections, sequences become 0,1,2… keys),
/// remembering each key's line so validation can say "file:line field". Hand-written over
/// YamlDotNet because the registry's YAML configuration provider pins a YamlDotNet it does not
/// serve, and none of them keep line numbers.
/// </summary>
public sealed class YamlConfigurationSource(string path, string? prefix = null) : IConfigurationSource
{
    public string Path { get; } = path;
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(Path, prefix);
}

/// <summary>Provides the file's keys, under <c>prefix:</c> when one is given.</summary>
public sealed class YamlConfigurationProvider(string path, string? prefix) : ConfigurationProvider
{
    public override void Load()
    {
        var (data, _) = YamlFlattener.Load(path);
        Data = prefix is null
            ? data
            : data.ToDictionary(kv => $"{prefix}:{kv.Key}", kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }
}

public static class YamlFlattener
{
    /// <summary>Flattens a YAML document; throws <see cref="FormatException"/> with file and line on a syntax error.</summary>
    public static (Dictionary<string, string?> Data, Dictionary<string, int> Lines) Load(string path)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new FormatException($"{path}:{ex.Start.Line}: YAML syntax error: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        if (stream.Documents.Count > 0) Visit(stream.Documents[0].RootNode, null, data, lines);
        return (data, lines);
    }

    private static void Visit(YamlNode node, string? prefix, Dictionary<string, string?> data, Dictionary<string, int> lines)
    {
        if (prefix is not null) lines[prefix] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    var path = prefix is null ? name : $"{prefix}:{name}";
                    lines[path] = (int)key.Start.Line;
                    Visit(value, path, data, lines);
                    lines[path] = (int)key.Start.Line;
                }
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                    Visit(seq.Children[i], $"{prefix}:{i}", data, lines);
                break;
            case YamlScalarNode scalar when prefix is not null:
                // "~" and "null" are YAML nulls; an empty value stays empty so binding can reject it.
                data[prefix] = scalar.Value is "~" or "null" && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? null : scalar.Value;
                break;
        }
    }
}
