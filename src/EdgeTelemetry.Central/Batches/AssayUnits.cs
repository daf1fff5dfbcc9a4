namespace EdgeTelemetry.Central.Batches;

/// <summary>A value with its unit as entered (<c>{"value": 1.2, "unit": "t"}</c>).</summary>
public sealed class Quantity
{
    public double? Value { get; set; }
    public string? Unit { get; set; }
}

/// <summary>
/// Normalises entered masses to kg and grades to g/t, the units stored in process_batch.
/// Grades: g/t = ppm by mass; 1 % = 10,000 g/t; 1 ppb = 0.001 g/t (DESIGN.md).
/// </summary>
public static class AssayUnits
{
    /// <summary>The highest possible grade: pure gold, 100 % = 1,000,000 g/t.</summary>
    public const double MaxGradeGpt = 1_000_000;

    private static readonly Dictionary<string, double> MassToKg = new(StringComparer.Ordinal)
    {
        ["kg"] = 1, ["t"] = 1000, ["g"] = 0.001,
    };

    private static readonly Dictionary<string, double> GradeToGpt = new(StringComparer.Ordinal)
    {
        ["g/t"] = 1, ["ppm"] = 1, ["%"] = 10_000, ["ppb"] = 0.001,
    };

    public static IEnumerable<string> MassUnits => MassToKg.Keys;
    public static IEnumerable<string> GradeUnits => GradeToGpt.Keys;

    /// <summary>The mass in kg, or null with an error per bad member (keyed <c>{field}.value</c> / <c>{field}.unit</c>).</summary>
    public static double? MassKg(Quantity? q, string field, Action<string, string> error) =>
        Normalise(q, field, MassToKg, "mass", error, max: null);

    public static double? GradeGpt(Quantity? q, string field, Action<string, string> error) =>
        Normalise(q, field, GradeToGpt, "grade", error, MaxGradeGpt);

    private static double? Normalise(Quantity? q, string field, Dictionary<string, double> factors, string kind,
        Action<string, string> error, double? max)
    {
        if (q is null) return null;
        var ok = true;
        if (q.Value is not { } value)
        {
            error($"{field}.value", "is required");
            ok = false;
        }
        else if (value < 0)
        {
            error($"{field}.value", $"a {kind} cannot be negative");
            ok = false;
        }
        if (q.Unit is null || !factors.TryGetValue(q.Unit, out var factor))
        {
            error($"{field}.unit", $"'{q.Unit}' is not a {kind} unit; use one of {string.Join(", ", factors.Keys)}");
            return null;
        }
        if (!ok) return null;
        var normalised = q.Value!.Value * factor;
        if (max is { } m && normalised > m)
        {
            error($"{field}.value", $"{q.Value} {q.Unit} is {normalised:G6} g/t, above the possible maximum of 1,000,000 g/t (100 %)");
            return null;
        }
        return normalised;
    }
}
