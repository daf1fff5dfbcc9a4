namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>What one line from the analyser meant.</summary>
/// <param name="Line">The line as received (for logs and parse-error reports).</param>
/// <param name="LineNumber">1-based line number in the stream, 0 when parsed alone.</param>
public abstract record MercuryLineResult(string Line, long LineNumber);

/// <summary>A valid ambient concentration.</summary>
/// <param name="MicrogramsPerCubicMetre">Concentration converted to µg/m³.</param>
/// <param name="RawValue">The number as the instrument printed it.</param>
/// <param name="RawUnit">The unit it was printed in (or the configured default).</param>
/// <param name="InstrumentTimestamp">The instrument's own time field, if the format captures one.</param>
public sealed record MercuryReading(
    string Line, long LineNumber, double MicrogramsPerCubicMetre, double RawValue, MercuryConcentrationUnit RawUnit, string? InstrumentTimestamp)
    : MercuryLineResult(Line, LineNumber);

/// <summary>The instrument is self-checking, regenerating or faulted: there is no valid reading — never zero.</summary>
/// <param name="Status">What it is doing.</param>
/// <param name="StatusText">The status word or phrase as printed.</param>
public sealed record MercuryNoReading(string Line, long LineNumber, MercuryInstrumentStatus Status, string StatusText)
    : MercuryLineResult(Line, LineNumber);

/// <summary>The line could not be understood. The reader carries on with the next line.</summary>
/// <param name="Reason">What was wrong, naming the offending text.</param>
public sealed record MercuryParseError(string Line, long LineNumber, string Reason)
    : MercuryLineResult(Line, LineNumber);
