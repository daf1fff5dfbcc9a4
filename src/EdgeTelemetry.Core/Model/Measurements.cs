namespace EdgeTelemetry.Model;

/// <summary>
/// Who may write which measurement. The central service owns its records (dead letters, delivery
/// accounting, device status, recorded batches): a device that names one is refused
/// (<c>reserved_measurement</c>), so it cannot forge a batch or hide a rejection. A device may
/// write the catalogue's measurements (equipment profiles, environment, weighing, mercury) and its
/// own agent records; anything else needs <c>Ingest:AdditionalMeasurements</c> on the central side.
/// </summary>
public static class Measurements
{
    public const string Rejects = "rejects";
    public const string Delivery = "delivery";
    public const string DeviceStatus = "device_status";
    public const string ProcessBatch = "process_batch";

    public const string AgentHealth = "agent_health";
    public const string Alarm = "alarm";
    /// <summary>Acknowledgements of on-device alarms (button or the agent's page); field = rule id, value = who (1 button, 2 page).</summary>
    public const string AlarmAck = "alarm_ack";
    public const string BufferEviction = "buffer_eviction";

    public static readonly IReadOnlySet<string> ServiceOwned = new HashSet<string>(StringComparer.Ordinal)
        { Rejects, Delivery, DeviceStatus, ProcessBatch };

    public static readonly IReadOnlySet<string> AgentRecords = new HashSet<string>(StringComparer.Ordinal)
        { AgentHealth, Alarm, AlarmAck, BufferEviction };

    /// <summary>What a device may write without extra configuration.</summary>
    public static readonly IReadOnlySet<string> DeviceWritable = new HashSet<string>(
        Channels.All.Select(c => c.Measurement).Concat(AgentRecords), StringComparer.Ordinal);

    /// <summary>Everything that is not telemetry (service records and agent records).</summary>
    public static readonly IReadOnlySet<string> NotTelemetry = new HashSet<string>(ServiceOwned.Concat(AgentRecords), StringComparer.Ordinal);
}
