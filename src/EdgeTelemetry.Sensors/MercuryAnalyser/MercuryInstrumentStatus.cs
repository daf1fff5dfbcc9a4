namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>What the instrument is doing when a line carries no valid concentration.</summary>
public enum MercuryInstrumentStatus
{
    /// <summary>Zero / blank check (zero air through a filter): the number it shows is not ambient air.</summary>
    ZeroCheck,

    /// <summary>Test cell / span check (RA-915 class built-in mercury cell): the number is the cell, not the air.</summary>
    TestCell,

    /// <summary>Gold-film regeneration (Jerome class): sensor heated clean, no measurement.</summary>
    Regeneration,

    /// <summary>Warm-up or stabilisation after power-on.</summary>
    WarmUp,

    /// <summary>Instrument fault or error message.</summary>
    Fault,

    /// <summary>A status word the configuration does not know.</summary>
    Unknown,
}
