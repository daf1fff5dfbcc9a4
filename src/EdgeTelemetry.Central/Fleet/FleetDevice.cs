namespace EdgeTelemetry.Central.Fleet;

/// <summary>A device as the fleet page shows it, rebuilt from InfluxDB on every request (so a restart loses nothing).</summary>
public sealed record FleetDevice(
    string Site,
    string Device,
    /// <summary>"online" / "offline" from the last retained status or last will; "unknown" if none arrived yet.</summary>
    string State,
    DateTimeOffset? StateSince,
    string? AgentVersion,
    string? Stream,
    /// <summary>The latest of: status change, message received, sample taken.</summary>
    DateTimeOffset? LastSeen,
    DateTimeOffset? LastSampleAt,
    DateTimeOffset? LastMessageAt,
    AgentHealth? Health,
    /// <summary>"trusted" / "untrusted" from agent_health.clock_ok; "unknown" without health telemetry.</summary>
    string ClockState,
    IReadOnlyList<OpenAlarm> OpenAlarms);

/// <summary>The agent's last health report (agent_health); fields the agent did not send stay null.</summary>
public sealed record AgentHealth(
    DateTimeOffset At,
    double? Backlog,
    double? OldestUnsentAgeSeconds,
    double? Evictions,
    double? DiskFreeBytes,
    double? CpuTemperatureDegC,
    double? UptimeSeconds,
    double? Reconnects,
    bool? ClockOk,
    /// <summary>Samples the device holds that no receipt has confirmed stored yet (unsent included).</summary>
    double? Unreceipted = null,
    double? OldestUnreceiptedAgeSeconds = null,
    /// <summary>Whether the device waits for receipts (false: PUBACK-as-sent against a central service without them).</summary>
    bool? Receipts = null,
    /// <summary>Publications beyond a sample's first (duplicates centrally, never losses).</summary>
    double? Resent = null);

/// <summary>An alarm rule whose last transition was "raised".</summary>
public sealed record OpenAlarm(string Equipment, string Rule, DateTimeOffset? Since, double? Value);
