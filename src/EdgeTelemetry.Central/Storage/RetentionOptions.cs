namespace EdgeTelemetry.Central.Storage;

/// <summary>How long InfluxDB keeps what (section "Retention"); InfluxDB 1.x retention policies and continuous queries.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Route raw process data to its own policy, create the policies and rollups at start, read rollups where they answer the question.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Raw 1 Hz process data (<see cref="RawMeasurements"/>).</summary>
    public int RawDays { get; set; } = 90;
    /// <summary>Per-minute mean/min/max/count/sum of telemetry.</summary>
    public int MinuteRollupDays { get; set; } = 3 * 365;
    /// <summary>Per-hour mean/min/max/count/sum of telemetry.</summary>
    public int HourRollupDays { get; set; } = 10 * 365;
    /// <summary>Everything else: mercury vapour and environment readings, alarms, batches, delivery, rejects, status, health. 0 = forever.</summary>
    public int EvidenceDays { get; set; } = 10 * 365;
    /// <summary>
    /// Measurements whose raw points expire after <see cref="RawDays"/>. Only gravity-process data by default: a mercury
    /// monitor's samples (hg and its environment) share one sequence, and the evidence report audits that sequence for years.
    /// </summary>
    public List<string> RawMeasurements { get; set; } = ["centrifuge", "shaking_table", "sluice", "weighing"];
    /// <summary>How far back fleet status and the equipment directory look (bounded reads instead of "all time").</summary>
    public int LookbackDays { get; set; } = 400;
    public string RawPolicy { get; set; } = "raw";
    public string MinutePolicy { get; set; } = "rollup_1m";
    public string HourPolicy { get; set; } = "rollup_1h";
}
