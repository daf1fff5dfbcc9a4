using System.Globalization;
using System.Text.Json;

namespace EdgeTelemetry.Central.Storage;

/// <summary>InfluxDB could not be asked (unreachable, timed out, 5xx, auth): the caller answers 503.</summary>
public sealed class InfluxUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>InfluxDB answered the query with an error (a bug in the query, or a missing database).</summary>
public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>
/// One series of an InfluxQL result (or one chunk of it when streaming): measurement, GROUP BY tags,
/// columns and rows. Values are long (integers, epoch-ns times), double, string, bool or null.
/// </summary>
public sealed record InfluxSeries(
    string Name,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Columns,
    IReadOnlyList<object?[]> Rows)
{
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i] == name) return i;
        return -1;
    }

    public string? Tag(string key) => Tags.GetValueOrDefault(key);

    internal static List<InfluxSeries> FromResult(JsonElement result)
    {
        if (result.TryGetProperty("error", out var error))
            throw new InfluxQueryException(error.GetString() ?? "query failed");
        var list = new List<InfluxSeries>();
        if (!result.TryGetProperty("series", out var series)) return list;
        foreach (var s in series.EnumerateArray())
        {
            IReadOnlyDictionary<string, string> tags = s.TryGetProperty("tags", out var t)
                ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
                : new Dictionary<string, string>();
            var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
            var rows = new List<object?[]>();
            if (s.TryGetProperty("values", out var values))
            {
                foreach (var row in values.EnumerateArray())
                {
                    var cells = new object?[columns.Length];
                    var i = 0;
                    foreach (var cell in row.EnumerateArray())
                        if (i < cells.Length) cells[i++] = ToClr(cell);
                    rows.Add(cells);
                }
            }
            list.Add(new InfluxSeries(s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", tags, columns, rows));
        }
        return list;
    }

    private static object? ToClr(JsonElement e) => e.ValueKind switch
    {
        // Integers come back as long (counts, epoch times, i-fields), other numbers as double.
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : (object)e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

/// <summary>Reading typed values out of result cells.</summary>
public static class InfluxValue
{
    public static double? Double(object? v) => v switch
    {
        double d => d,
        long l => l,
        _ => null,
    };

    public static long? Long(object? v) => v switch
    {
        long l => l,
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => (long)d,
        _ => null,
    };

    public static string? String(object? v) => v switch
    {
        string s => s,
        null => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    public static bool? Bool(object? v) => v as bool?;

    public static DateTimeOffset Time(object? v) => Model.Time.FromUnixNanoseconds(Long(v) ?? 0);
}
