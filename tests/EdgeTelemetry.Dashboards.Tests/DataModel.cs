using EdgeTelemetry.Model;

namespace EdgeTelemetry.Dashboards.Tests;

/// <summary>One measurement as the data model defines it: its tag keys and field keys.</summary>
public sealed record MeasurementSchema(string Name, IReadOnlySet<string> Tags, IReadOnlySet<string> Fields)
{
    public bool Has(string key) => Tags.Contains(key) || Fields.Contains(key);
}

/// <summary>
/// What a dashboard may reference (docs/data-model.md): telemetry measurements and fields from the
/// code catalogue <see cref="Channels.All"/>, and — the one place in this project that lists them —
/// the service measurements written beside telemetry by the central service and the agent.
/// </summary>
public static class DataModel
{
    public const string Database = "edgetelemetry";

    /// <summary>Tags of every telemetry point.</summary>
    public static readonly string[] TelemetryTags = ["site", "device", "equipment"];

    /// <summary>Fields any telemetry point may carry beside its readings (sequence number, clock flags).</summary>
    public static readonly string[] TelemetryCommonFields = ["seq", "clock_corrected", "clock_uncertain", "clock_skew"];

    /// <summary>Alarm rule ids; the alarm measurement has <c>rule</c> (1 raised / 0 cleared) and <c>rule_value</c> per rule.</summary>
    public static readonly string[] AlarmRules =
    [
        "fluidisation_lost", "bowl_stopped_while_feeding", "table_stopped", "sluice_water_lost",
        "hg_above_action_level", "hg_above_tlv",
    ];

    /// <summary>Service measurements (not in <see cref="Channels"/>): names, tags and fields exactly as written.</summary>
    public static readonly IReadOnlyList<MeasurementSchema> ServiceMeasurements =
    [
        // Central service: the device's retained online/offline status message.
        Schema("device_status", ["site", "device"], ["state", "online", "agent", "stream"]),
        // Agent, every Health:IntervalSeconds, equipment tag "agent".
        Schema("agent_health", ["site", "device", "equipment"],
            ["backlog", "oldest_unsent_age", "evictions", "buffer_bytes", "disk_free", "cpu_temperature", "uptime",
             "reconnects", "clock_ok", "clock_jumps", "unreceipted", "oldest_unreceipted_age", "oldest_unreceipted_seq",
             "receipts", "resent", "receipt_rejected", "receipt_latency_p50", "receipt_latency_p99", "seq"]),
        // Agent events topic: one float field per rule id, 1 = raised, 0 = cleared, plus the triggering value.
        Schema("alarm", ["site", "device", "equipment"],
            [.. AlarmRules, .. AlarmRules.Select(r => r + "_value"), "seq"]),
        // One point per concentrator/table batch; timestamp = batch start.
        Schema("process_batch", ["site", "equipment"],
            ["batch_id", "end_ns", "feed_mass_kg", "feed_grade_gpt", "concentrate_mass_kg", "concentrate_grade_gpt",
             "tailings_grade_gpt", "recovery_pct", "recovery_method", "mass_pull_pct", "upgrade_ratio",
             "mean_bowl_speed_rpm", "mean_bowl_g", "mean_fluidisation_pressure_kpa", "mean_fluidisation_flow_lpm",
             "mean_feed_rate_tph", "mean_stroke_rate_spm"]),
        // Central service: dead letters and delivery accounting (documented; no panel uses them yet).
        Schema("rejects", ["site", "device", "reason"], ["topic", "detail", "seq", "stream", "payload_excerpt"]),
        Schema("delivery", ["site", "device", "stream"], ["ranges", "count", "duplicates", "evicted"]),
        Schema("buffer_eviction", ["site", "device", "equipment"], ["evicted", "first_seq", "last_seq", "seq"]),
    ];

    /// <summary>Telemetry measurements built from the field catalogue.</summary>
    public static readonly IReadOnlyList<MeasurementSchema> TelemetryMeasurements =
        Channels.All.GroupBy(c => c.Measurement)
            .Select(g => Schema(g.Key, TelemetryTags, [.. g.Select(c => c.Field), .. TelemetryCommonFields]))
            .ToList();

    public static readonly IReadOnlyDictionary<string, MeasurementSchema> Measurements =
        TelemetryMeasurements.Concat(ServiceMeasurements).ToDictionary(m => m.Name, StringComparer.Ordinal);

    private static MeasurementSchema Schema(string name, IEnumerable<string> tags, IEnumerable<string> fields) =>
        new(name, new HashSet<string>(tags, StringComparer.Ordinal), new HashSet<string>(fields, StringComparer.Ordinal));
}
