using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// The JSON Schema of a <c>sensors[]</c> entry, generated from the registered modules' options types by
/// System.Text.Json's <see cref="JsonSchemaExporter"/>: one <c>if driver = kind then …</c> branch per module, each
/// allowing exactly that kind's keys. Constraints come from the options' data annotations
/// (<see cref="RangeAttribute"/>, <see cref="RegularExpressionAttribute"/>, <see cref="AllowedValuesAttribute"/>,
/// <see cref="RequiredAttribute"/>). <c>edgetelemetry-agent config-schema &lt;file&gt;</c> writes it into the shipped schema.
/// A development command: it reflects over the options types, so it runs from source (<c>dotnet run</c>), not in
/// the ahead-of-time published agent.
/// </summary>
[RequiresUnreferencedCode(Why)]
[RequiresDynamicCode(Why)]
public static class SensorSchema
{
    private const string Why = "Reflects over the sensor options types (System.Text.Json's reflection resolver); run from source.";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSchemaExporterOptions Exporter = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Annotate,
    };

    /// <summary>How the shipped schema file is written (2-space indent, patterns unescaped).</summary>
    public static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The schema of one <c>sensors[]</c> item.</summary>
    public static JsonObject Items(IReadOnlyList<ISensorModule> modules)
    {
        var branches = new JsonArray();
        foreach (var module in modules)
        {
            var then = Json.GetJsonSchemaAsNode(module.OptionsType, Exporter).AsObject();
            // The driver key first, as in a config file; then the kind's own keys and the common ones.
            var properties = then["properties"]!.AsObject();
            var keys = properties.Where(p => p.Key != "driver").Select(p => p.Key).ToList();
            var ordered = new JsonObject { ["driver"] = new JsonObject { ["const"] = module.Kind } };
            foreach (var key in keys)
            {
                var value = properties[key];
                properties.Remove(key);
                ordered[key] = value;
            }
            then["properties"] = ordered;
            branches.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["driver"] = new JsonObject { ["const"] = module.Kind } } },
                ["then"] = then,
            });
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["driver"] = new JsonObject { ["enum"] = new JsonArray([.. modules.Select(m => (JsonNode)m.Kind)]) } },
            ["required"] = new JsonArray("driver", "equipment"),
            ["allOf"] = branches,
        };
    }

    /// <summary>Rewrites <c>properties.sensors.items</c> of the schema file at <paramref name="path"/>; the rest of the file is kept.</summary>
    public static void WriteInto(string path, IReadOnlyList<ISensorModule> modules)
    {
        var schema = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        schema["properties"]!["sensors"]!["items"] = Items(modules);
        File.WriteAllText(path, schema.ToJsonString(FileFormat) + "\n");
    }

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode node)
    {
        if (node is not JsonObject schema) return node;
        // A YAML key that is absent and one set to null mean the same here: unset. The schema says what a set value must be.
        if (schema["type"] is JsonArray types)
        {
            var set = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            schema["type"] = set.Count == 1 ? set[0] : new JsonArray([.. set.Select(t => (JsonNode)t)]);
        }
        if (context.PropertyInfo?.AttributeProvider is ICustomAttributeProvider provider)
        {
            foreach (var a in provider.GetCustomAttributes(true))
            {
                switch (a)
                {
                    case RangeAttribute r:
                        schema["minimum"] = JsonValue.Create(Convert.ToDouble(r.Minimum, System.Globalization.CultureInfo.InvariantCulture));
                        if (Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture) < int.MaxValue)
                            schema["maximum"] = JsonValue.Create(Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    case RegularExpressionAttribute re:
                        schema["pattern"] = re.Pattern;
                        break;
                    case AllowedValuesAttribute allowed:
                        schema.Remove("type");
                        schema["enum"] = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create(v?.ToString()))]);
                        break;
                }
            }
        }
        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && schema["properties"] is JsonObject)
        {
            var required = context.TypeInfo.Properties
                .Where(p => p.AttributeProvider?.IsDefined(typeof(RequiredAttribute), true) == true)
                .Select(p => (JsonNode)p.Name).ToList();
            if (required.Count > 0) schema["required"] = new JsonArray([.. required]);
        }
        return node;
    }
}
