using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>
/// Walks configuration keys against the options types before binding, so a misspelt key or a
/// value of the wrong type is reported with its path (and line) instead of being silently ignored
/// or stopping the binder at the first one.
/// Reflection over the options types' public properties: the ahead-of-time build keeps them because the
/// agent assembly is a trimming root (EdgeTelemetry.Agent.csproj), which the test of the published
/// agent's validate-config proves. Values are parsed as the source-generated binder parses them.
/// </summary>
public static class ConfigKeyChecker
{
    /// <summary>
    /// Returns the problems and the keys whose values cannot be bound (to leave out when binding).
    /// <paramref name="itemType"/> picks the type of a list item from its keys (e.g. a sensor's options by its driver);
    /// null from it leaves the item unchecked (its problem is reported elsewhere).
    /// </summary>
    public static (List<ConfigProblem> Problems, HashSet<string> BadKeys) Check(IConfigurationSection section,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, Func<Type, IConfigurationSection, Type?>? itemType = null)
    {
        var problems = new List<ConfigProblem>();
        var bad = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        new Walker(problems, bad, itemType ?? ((t, _) => t)).Walk(section, type, "");
        return (problems, bad);
    }

    private sealed class Walker(List<ConfigProblem> problems, HashSet<string> bad, Func<Type, IConfigurationSection, Type?> itemType)
    {
        public void Walk(IConfigurationSection section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, string path)
        {
            foreach (var child in section.GetChildren())
            {
                var childPath = path.Length == 0 ? child.Key : $"{path}:{child.Key}";
                var property = Array.Find(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    problems.Add(new ConfigProblem(childPath, $"unknown setting '{child.Key}'"));
                    bad.Add(child.Path);
                    continue;
                }
                CheckValue(child, property.PropertyType, childPath);
            }
        }

        [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Options types live in the agent assembly, a trimming root: their properties are kept.")]
        private void CheckValue(IConfigurationSection node, Type type, string path)
        {
            var element = ListElement(type);
            if (element is not null)
            {
                foreach (var item in node.GetChildren())
                {
                    if (!int.TryParse(item.Key, out _)) { problems.Add(new ConfigProblem(path, "must be a list")); bad.Add(node.Path); return; }
                    if (itemType(element, item) is { } t) CheckValue(item, t, $"{path}:{item.Key}");
                }
                return;
            }
            var scalar = Nullable.GetUnderlyingType(type) ?? type;
            if (scalar == typeof(string) || scalar.IsPrimitive || scalar.IsEnum || scalar == typeof(decimal) || scalar == typeof(DateTimeOffset))
            {
                if (node.Value is null)
                {
                    if (node.GetChildren().Any()) { problems.Add(new ConfigProblem(path, "must be a single value, not a section")); bad.Add(node.Path); }
                    return;
                }
                if (!Parses(scalar, node.Value))
                {
                    problems.Add(new ConfigProblem(path, $"'{node.Value}' is not a valid {Describe(scalar)}"));
                    bad.Add(node.Path);
                }
                return;
            }
            if (node.Value is not null) { problems.Add(new ConfigProblem(path, "must be a section, not a single value")); bad.Add(node.Path); return; }
            Walk(node, scalar, path);
        }
    }

    /// <summary>Whether the configuration binder's source generator would parse <paramref name="value"/> as <paramref name="type"/>.</summary>
    private static bool Parses(Type type, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        return type.IsEnum ? Enum.TryParse(type, value, ignoreCase: true, out _)
            : type == typeof(string) ? true
            : type == typeof(bool) ? bool.TryParse(value, out _)
            : type == typeof(int) ? int.TryParse(value, NumberStyles.Integer, inv, out _)
            : type == typeof(long) ? long.TryParse(value, NumberStyles.Integer, inv, out _)
            : type == typeof(uint) ? uint.TryParse(value, NumberStyles.Integer, inv, out _)
            : type == typeof(ushort) ? ushort.TryParse(value, NumberStyles.Integer, inv, out _)
            : type == typeof(byte) ? byte.TryParse(value, NumberStyles.Integer, inv, out _)
            : type == typeof(double) ? double.TryParse(value, NumberStyles.Float, inv, out _)
            : type == typeof(float) ? float.TryParse(value, NumberStyles.Float, inv, out _)
            : type == typeof(decimal) ? decimal.TryParse(value, NumberStyles.Float, inv, out _)
            : type == typeof(DateTimeOffset) ? DateTimeOffset.TryParse(value, inv, out _)
            : ConvertsTo(type, value);
    }

    /// <summary>Other primitives (char, short, ulong …): their IConvertible parse.</summary>
    private static bool ConvertsTo(Type type, string value)
    {
        try { Convert.ChangeType(value, type, CultureInfo.InvariantCulture); return true; }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException) { return false; }
    }

    private static Type? ListElement(Type type) =>
        type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "whole number"
        : t == typeof(double) ? "number"
        : t == typeof(bool) ? "true/false"
        : t.Name;
}
