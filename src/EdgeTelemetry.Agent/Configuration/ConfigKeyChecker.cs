using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>
/// Walks configuration keys against the options types before binding, so a misspelt key or a
/// value of the wrong type is reported with its path (and line) instead of being silently ignored
/// or stopping the binder at the first one.
/// </summary>
public static class ConfigKeyChecker
{
    /// <summary>
    /// Returns the problems and the keys whose values cannot be bound (to leave out when binding).
    /// <paramref name="itemType"/> picks the type of a list item from its keys (e.g. a sensor's options by its driver);
    /// null from it leaves the item unchecked (its problem is reported elsewhere).
    /// </summary>
    public static (List<ConfigProblem> Problems, HashSet<string> BadKeys) Check(IConfigurationSection section, Type type, Func<Type, IConfigurationSection, Type?>? itemType = null)
    {
        var problems = new List<ConfigProblem>();
        var bad = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        new Walker(problems, bad, itemType ?? ((t, _) => t)).Walk(section, type, "");
        return (problems, bad);
    }

    private sealed class Walker(List<ConfigProblem> problems, HashSet<string> bad, Func<Type, IConfigurationSection, Type?> itemType)
    {
        public void Walk(IConfigurationSection section, Type type, string path)
        {
            foreach (var child in section.GetChildren())
            {
                var childPath = path.Length == 0 ? child.Key : $"{path}:{child.Key}";
                var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                {
                    problems.Add(new ConfigProblem(childPath, $"unknown setting '{child.Key}'"));
                    bad.Add(child.Path);
                    continue;
                }
                CheckValue(child, property.PropertyType, childPath);
            }
        }

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
            if (scalar == typeof(string) || scalar.IsPrimitive || scalar.IsEnum || scalar == typeof(decimal))
            {
                if (node.Value is null)
                {
                    if (node.GetChildren().Any()) { problems.Add(new ConfigProblem(path, "must be a single value, not a section")); bad.Add(node.Path); }
                    return;
                }
                try { TypeDescriptor.GetConverter(scalar).ConvertFromString(null, CultureInfo.InvariantCulture, node.Value); }
                catch (Exception)
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

    private static Type? ListElement(Type type) =>
        type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "whole number"
        : t == typeof(double) ? "number"
        : t == typeof(bool) ? "true/false"
        : t.Name;
}
