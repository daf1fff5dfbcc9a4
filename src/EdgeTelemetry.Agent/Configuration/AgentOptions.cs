using System.ComponentModel.DataAnnotations;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>The agent's configuration (firmware-config/*.yaml; every key can be overridden by env or command line).</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>Site id, e.g. "md-huepetuhe-01"; a topic level, so [a-z0-9_-].</summary>
    public string Site { get; set; } = "";
    /// <summary>Device id, unique within the site; also the broker username in production.</summary>
    public string Device { get; set; } = "";
    public BrokerOptions Broker { get; set; } = new();
    public BufferOptions Buffer { get; set; } = new();
    public PublishOptions Publish { get; set; } = new();
    /// <summary>The device key batches are signed with (issue 14).</summary>
    public SigningOptions Signing { get; set; } = new();
    public EdgeTelemetry.Agent.Clock.ClockOptions Clock { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
    /// <summary>Relays (buzzer, stack light) driven by alarm state, and the acknowledge button.</summary>
    public EdgeTelemetry.Agent.Alarms.Outputs.AlarmOutputOptions AlarmOutputs { get; set; } = new();
    /// <summary>The page served by the agent on the site network (off by default).</summary>
    public EdgeTelemetry.Agent.LocalPage.LocalPageOptions LocalPage { get; set; } = new();
    /// <summary>"real" reads the Pi's buses; "emulated" puts register-level emulators behind the same drivers.</summary>
    public string Hardware { get; set; } = "real";
    public List<EquipmentOptions> Equipment { get; set; } = [];
    public List<SensorOptions> Sensors { get; set; } = [];
}

public sealed class HealthOptions
{
    /// <summary>How often the agent reports its own health (backlog, evictions, disk, clock) as telemetry.</summary>
    public int IntervalSeconds { get; set; } = 60;
}

/// <summary>A piece of equipment on the site, its profile and alarm adjustments.</summary>
public sealed class EquipmentOptions
{
    public string Id { get; set; } = "";
    /// <summary>centrifuge, shaking_table, sluice, mercury_vapour or smelting.</summary>
    public string Profile { get; set; } = "";
    /// <summary>Centrifuge bowl inner diameter, for G-force (a 30-inch Knelson is 762 mm).</summary>
    public double? BowlDiameterMm { get; set; }
    public List<AlarmOptions> Alarms { get; set; } = [];
}

/// <summary>Overrides a profile's rule (same id) or adds one; unset members keep the profile's values.</summary>
public sealed class AlarmOptions
{
    public string Id { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public string? Channel { get; set; }
    /// <summary>"above" or "below".</summary>
    public string? Comparison { get; set; }
    public double? Threshold { get; set; }
    public double? Hysteresis { get; set; }
    public double? MinDurationSeconds { get; set; }
    public string? WhileChannel { get; set; }
    public string? WhileComparison { get; set; }
    public double? WhileThreshold { get; set; }
    /// <summary>"warning" or "critical" (default: the profile's, else warning); alarm outputs may select by it.</summary>
    public string? Severity { get; set; }
}

public sealed class BrokerOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public string? ClientId { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool UseTls { get; set; }
    public int KeepAliveSeconds { get; set; } = 30;
    /// <summary>How long the broker keeps this device's session while it is away.</summary>
    public int SessionExpirySeconds { get; set; } = 7 * 24 * 3600;
    public double ReconnectMinSeconds { get; set; } = 1;
    public double ReconnectMaxSeconds { get; set; } = 60;
}

public sealed class SigningOptions
{
    /// <summary>Sign every batch with the device key (MQTT user properties sig/kid); off only for a central service that cannot take them.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>The device's private key (PEM, 0600); created on first start when missing, never replaced. Default: device-key.pem beside the buffer file.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The key file this configuration names.</summary>
    public string KeyPath(BufferOptions buffer) => string.IsNullOrWhiteSpace(KeyFile)
        ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(buffer.Path)) ?? ".", "device-key.pem")
        : KeyFile;
}

public sealed class BufferOptions
{
    /// <summary>The buffer's directory (a SQLite buffer file of an older agent found here is migrated into it).</summary>
    public string Path { get; set; } = "edgetelemetry-buffer";
    /// <summary>FULL survives power cuts (each commit written through to the device); NORMAL survives process crashes only.</summary>
    public string Synchronous { get; set; } = "FULL";
    /// <summary>Samples are committed together at most this often, so the SD card sees few writes.</summary>
    public int CommitIntervalMs { get; set; } = 1000;
    public int MaxSamplesPerCommit { get; set; } = 1000;
    /// <summary>Sent rows are kept this long (for local inspection and export) before they are pruned.</summary>
    public int SentRetentionMinutes { get; set; } = 60;
    /// <summary>Disk quota for the buffer; beyond it the oldest unsent telemetry is evicted (counted, reported).</summary>
    public double QuotaMb { get; set; } = 512;
    /// <summary>Size of one log segment; whole segments are deleted once receipted (after the retention) or evicted.</summary>
    public int SegmentKb { get; set; } = 1024;

    /// <summary>The segment size in use: at most an eighth of the quota, so eviction frees the quota a piece at a time (at least two 4 KiB pages).</summary>
    public int SegmentBytes() => (int)Math.Max(8192, Math.Min(SegmentKb * 1024L, (long)(QuotaMb * 1024 * 1024 / 8) / 4096 * 4096));
    /// <summary>How often at most the receipt progress is written (a crash re-sends at most this much that was already stored).</summary>
    public int ProgressIntervalSeconds { get; set; } = 30;
    /// <summary>Samples held in memory when the disk cannot take them; beyond this the oldest are dropped (counted).</summary>
    public int MemoryQueueCapacity { get; set; } = 100_000;
}

public sealed class PublishOptions
{
    public int MaxSamplesPerBatch { get; set; } = 200;
    /// <summary>Keeps a batch under the central service's payload limit (256 KiB by default).</summary>
    public int MaxBatchBytes { get; set; } = 128 * 1024;
    public int IdleDelayMs { get; set; } = 1000;
    public int PublishTimeoutSeconds { get; set; } = 30;
    /// <summary>After an outage the backlog drains beside live data at most this fast, oldest first.</summary>
    public int BacklogSamplesPerSecond { get; set; } = 1000;
    /// <summary>On a clean stop, how long to keep sending what the buffer still holds.</summary>
    public int DrainOnStopSeconds { get; set; } = 5;
    /// <summary>
    /// Treat a PUBACK "no matching subscribers" as not delivered: the broker dropped the message because
    /// the central service's persistent session does not exist yet, so the rows stay in the buffer.
    /// </summary>
    public bool RequireSubscriber { get; set; } = true;
    /// <summary>
    /// "auto": keep samples until the central service's receipt says they are stored, when it
    /// announces receipts (retained, on connect); without that announcement, fall back to the PUBACK
    /// with a warning. "required": always wait for receipts. "off": the PUBACK alone counts as delivered.
    /// </summary>
    public string Receipts { get; set; } = "auto";
    /// <summary>Re-send a sample whose receipt has not come this long after its PUBACK (doubling per attempt, at most ×64). 0: 8 × the recent 90th-percentile receipt latency, within 30–600 s.</summary>
    public double ReceiptTimeoutSeconds { get; set; }
    /// <summary>A receipt for samples published later than an unreceipted one by more than this shows the earlier one went missing: it is re-sent.</summary>
    public double ReceiptGapGraceSeconds { get; set; } = 5;
    /// <summary>How long after connecting to wait for the central service's retained announcement before publishing ("auto").</summary>
    public int CapabilitiesWaitMs { get; set; } = 2000;
    /// <summary>
    /// Batch encoding: "auto" sends wire v2 (binary, columnar, ~10× smaller) when the central service announces it
    /// and receipts are on, else v1 JSON; "v2" insists (still JSON without receipts); "json" always v1.
    /// </summary>
    public string Encoding { get; set; } = "auto";
    /// <summary>MQTT v5 topic aliases, when the broker offers them: a batch carries 2 bytes instead of its ~50-byte topic.</summary>
    public bool TopicAliases { get; set; } = true;
}

/// <summary>
/// The keys every <c>sensors[]</c> entry has. Each driver's own settings are on its options type, a subclass in its
/// module folder (Sensors/&lt;Driver&gt;/), which the loader binds by <see cref="Driver"/>.
/// </summary>
public class SensorOptions
{
    /// <summary>The driver kind; the modules registered in Sensors/SensorModules.cs name them.</summary>
    [Required]
    public string Driver { get; set; } = "";
    /// <summary>Equipment id (an entry of Equipment, or for "simulated" any id); the InfluxDB equipment tag.</summary>
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    public string Equipment { get; set; } = "";
    /// <summary>Without an Equipment entry (simulated): the profile.</summary>
    public string Profile { get; set; } = "";
    /// <summary>Overrides the measurement (default: the driver's, else the equipment profile's).</summary>
    public string? Measurement { get; set; }
    [Range(10, int.MaxValue)]
    public int IntervalMs { get; set; } = 1000;
}
