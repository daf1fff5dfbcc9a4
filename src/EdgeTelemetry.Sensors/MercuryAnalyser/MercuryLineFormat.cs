using System.Text.RegularExpressions;

namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>A status word or phrase (regular expression, case-insensitive) and what it means.</summary>
public sealed record MercuryStatusRule(string Pattern, MercuryInstrumentStatus Status);

/// <summary>
/// How to read one ASCII line of an analyser's output: either a regular expression with named groups
/// <c>value</c> (required), <c>unit</c>, <c>status</c>, <c>timestamp</c>, or a delimiter and column numbers.
/// Status rules are checked against the whole line first, so a self-check line is never read as a value.
/// </summary>
public sealed record MercuryLineFormat
{
    private const string Number = @"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?";
    private const string Unit = @"(?:ng|mg|ug|mcg|µg|μg)\s*/\s*m(?:3|³)";
    private const string Timestamp =
        @"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}:\d{2}(?::\d{2})?";

    /// <summary>Status words recognised by default.</summary>
    public static IReadOnlyList<MercuryStatusRule> DefaultStatusRules { get; } =
    [
        new(@"\b(zero|blank|baseline)\b", MercuryInstrumentStatus.ZeroCheck),
        new(@"\btest(\s*cell)?\b|\bspan\b", MercuryInstrumentStatus.TestCell),
        new(@"\bregen(eration|erating)?\b", MercuryInstrumentStatus.Regeneration),
        new(@"\bwarm(ing)?\s*-?\s*up\b|\bstabili[sz]ing\b", MercuryInstrumentStatus.WarmUp),
        new(@"\b(fault|error|err|fail(ure|ed)?)\b", MercuryInstrumentStatus.Fault),
    ];

    /// <summary>
    /// Lumex RA-915 class in continuous monitoring mode: optional time, a number, optional unit; numbers without a
    /// unit are ng/m³. The exact line layout depends on the instrument's PC software and firmware — verify against
    /// a capture from the actual unit and supply a <see cref="Pattern"/> if it differs.
    /// </summary>
    public static MercuryLineFormat LumexRa915 { get; } = InstrumentLine("Lumex RA-915 class", MercuryConcentrationUnit.NanogramsPerCubicMetre);

    /// <summary>
    /// Jerome J405 class: optional time, a number, optional unit; numbers without a unit are mg/m³.
    /// Verify against a capture from the actual unit.
    /// </summary>
    public static MercuryLineFormat JeromeJ405 { get; } = InstrumentLine("Jerome J405 class", MercuryConcentrationUnit.MilligramsPerCubicMetre);

    /// <summary>Name for logs.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Regular expression with named groups value (required), unit, status, timestamp.</summary>
    public Regex? Pattern { get; init; }

    /// <summary>Column delimiter, used when <see cref="Pattern"/> is null.</summary>
    public char? Delimiter { get; init; }

    /// <summary>0-based column of the value (delimited format).</summary>
    public int ValueColumn { get; init; }

    /// <summary>0-based column of the unit, if any (delimited format).</summary>
    public int? UnitColumn { get; init; }

    /// <summary>0-based column of a status word, if any (delimited format).</summary>
    public int? StatusColumn { get; init; }

    /// <summary>0-based column of the instrument's timestamp, if any (delimited format).</summary>
    public int? TimestampColumn { get; init; }

    /// <summary>Unit of values printed without one; null = a value without a unit is a parse error.</summary>
    public MercuryConcentrationUnit? DefaultUnit { get; init; }

    /// <summary>Accept "0,025" as 0.025 (instrument software set to a decimal-comma locale).</summary>
    public bool AllowDecimalComma { get; init; } = true;

    /// <summary>Status words that mean "measuring normally" when a status field is present.</summary>
    public IReadOnlyList<string> NormalStatusWords { get; init; } = ["", "OK", "MEAS", "MEASURING", "RUN", "RUNNING", "SAMPLE", "NORMAL"];

    /// <summary>Status rules, checked in order against the whole line and the status field.</summary>
    public IReadOnlyList<MercuryStatusRule> StatusRules { get; init; } = DefaultStatusRules;

    /// <summary>A regular-expression format (case-insensitive, 100 ms match timeout).</summary>
    public static MercuryLineFormat FromPattern(string pattern, MercuryConcentrationUnit? defaultUnit, string name = "custom") => new()
    {
        Name = name,
        Pattern = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
        DefaultUnit = defaultUnit,
    };

    /// <summary>A delimited format.</summary>
    public static MercuryLineFormat Delimited(char delimiter, int valueColumn, int? unitColumn = null, MercuryConcentrationUnit? defaultUnit = null,
        int? statusColumn = null, int? timestampColumn = null, string name = "custom") => new()
    {
        Name = name,
        Delimiter = delimiter,
        ValueColumn = valueColumn,
        UnitColumn = unitColumn,
        DefaultUnit = defaultUnit,
        StatusColumn = statusColumn,
        TimestampColumn = timestampColumn,
    };

    private static MercuryLineFormat InstrumentLine(string name, MercuryConcentrationUnit defaultUnit) => FromPattern(
        $@"^\s*(?:(?<timestamp>{Timestamp})[\s;,\t]+)?(?<value>{Number})\s*[;,\t]?\s*(?<unit>{Unit})?\s*$", defaultUnit, name);
}
