using System.Globalization;
using EdgeTelemetry.Sensors.MercuryAnalyser;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// Produces the ASCII lines a mercury analyser streams — "HH:mm:ss value unit" while measuring, a status phrase
/// during self-checks — in the instrument's own unit (ng/m³ for the Lumex class, mg/m³ for the Jerome class).
/// </summary>
public sealed class MercuryAnalyserLineGenerator
{
    private readonly TimeProvider _time;
    private double _microgramsPerCubicMetre;
    private MercuryInstrumentStatus? _status;

    /// <param name="unit">Unit the instrument prints.</param>
    /// <param name="printUnit">Whether the unit is printed after the value.</param>
    /// <param name="time">Clock for the time field.</param>
    public MercuryAnalyserLineGenerator(MercuryConcentrationUnit unit, bool printUnit = true, TimeProvider? time = null)
    {
        Unit = unit;
        PrintUnit = printUnit;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Unit of printed values.</summary>
    public MercuryConcentrationUnit Unit { get; }

    /// <summary>Whether the unit follows the value.</summary>
    public bool PrintUnit { get; }

    /// <summary>The ambient concentration, in µg/m³.</summary>
    public void SetConcentration(double microgramsPerCubicMetre) => _microgramsPerCubicMetre = microgramsPerCubicMetre;

    /// <summary>Puts the instrument into a self-check / regeneration / fault state; null returns to measuring.</summary>
    public void SetStatus(MercuryInstrumentStatus? status) => _status = status;

    /// <summary>The next line, without a line terminator.</summary>
    public string NextLine()
    {
        string time = _time.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        if (_status is { } status)
        {
            return $"{time} {StatusPhrase(status)}";
        }

        double value = MercuryUnits.FromMicrogramsPerCubicMetre(_microgramsPerCubicMetre, Unit);
        string number = value.ToString(Unit == MercuryConcentrationUnit.NanogramsPerCubicMetre ? "0.#" : "0.######", CultureInfo.InvariantCulture);
        return PrintUnit ? $"{time} {number} {UnitText(Unit)}" : $"{time} {number}";
    }

    /// <summary>Several lines joined by CR LF, as a reader over them.</summary>
    public static TextReader ReaderOver(IEnumerable<string> lines) => new StringReader(string.Join("\r\n", lines) + "\r\n");

    private static string UnitText(MercuryConcentrationUnit unit) => unit switch
    {
        MercuryConcentrationUnit.NanogramsPerCubicMetre => "ng/m3",
        MercuryConcentrationUnit.MicrogramsPerCubicMetre => "ug/m3",
        _ => "mg/m3",
    };

    private static string StatusPhrase(MercuryInstrumentStatus status) => status switch
    {
        MercuryInstrumentStatus.ZeroCheck => "ZERO CHECK 0.000",
        MercuryInstrumentStatus.TestCell => "TEST CELL 3120",
        MercuryInstrumentStatus.Regeneration => "REGEN",
        MercuryInstrumentStatus.WarmUp => "WARM UP",
        MercuryInstrumentStatus.Fault => "FAULT E07 FLOW",
        _ => "??",
    };
}
