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
    public EdgeTelemetry.Agent.Clock.ClockOptions Clock { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
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

public sealed class BufferOptions
{
    public string Path { get; set; } = "edgetelemetry-buffer.db";
    /// <summary>FULL survives power cuts (one fsync per commit); NORMAL survives process crashes only.</summary>
    public string Synchronous { get; set; } = "FULL";
    /// <summary>Samples are committed together at most this often, so the SD card sees few writes.</summary>
    public int CommitIntervalMs { get; set; } = 1000;
    public int MaxSamplesPerCommit { get; set; } = 1000;
    /// <summary>Sent rows are kept this long (for local inspection and export) before they are pruned.</summary>
    public int SentRetentionMinutes { get; set; } = 60;
    /// <summary>Disk quota for the buffer; beyond it the oldest unsent telemetry is evicted (counted, reported).</summary>
    public double QuotaMb { get; set; } = 512;
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
}

public sealed class SensorOptions
{
    /// <summary>ads1115, bme280, hx711, ds18b20, pulse_rpm, pulse_flow, mpu6050, mercury_serial, or simulated.</summary>
    public string Driver { get; set; } = "";
    /// <summary>Equipment id (an entry of Equipment, or for "simulated" any id); the InfluxDB equipment tag.</summary>
    public string Equipment { get; set; } = "";
    /// <summary>For "simulated" without an Equipment entry: the profile to simulate.</summary>
    public string Profile { get; set; } = "";
    /// <summary>Overrides the measurement (default: the equipment profile's; environment for bme280/ds18b20, weighing for hx711).</summary>
    public string? Measurement { get; set; }
    public int IntervalMs { get; set; } = 1000;
    /// <summary>Seed for simulated and emulated sources, so runs are reproducible.</summary>
    public int? Seed { get; set; }

    /// <summary>Channel name for single-channel drivers (pulse, hx711, ds18b20, mercury_serial).</summary>
    public string? Name { get; set; }

    // I2C (ads1115, bme280, mpu6050)
    public int Bus { get; set; } = 1;
    /// <summary>I2C address, e.g. "0x48".</summary>
    public string? Address { get; set; }
    public List<AdcChannelOptions> Channels { get; set; } = [];

    // GPIO (pulse_rpm, pulse_flow, hx711)
    public int? Pin { get; set; }
    public int? DoutPin { get; set; }
    public int? SckPin { get; set; }
    public double PulsesPerRevolution { get; set; } = 1;
    /// <summary>Pulse flow meter K-factor, pulses per litre.</summary>
    public double? KFactor { get; set; }
    public double DebounceMs { get; set; } = 1;
    /// <summary>No pulse for this long means stopped (0 rpm / no flow).</summary>
    public double StoppedAfterSeconds { get; set; } = 3;

    // hx711: raw = offset + countsPerUnit × mass
    public double? Offset { get; set; }
    public double? CountsPerUnit { get; set; }

    // ds18b20
    public string? SensorId { get; set; }
    public string W1Root { get; set; } = "/sys/bus/w1/devices";

    // mpu6050
    public int WindowMs { get; set; } = 2000;
    public int SampleRateHz { get; set; } = 100;

    // mercury_serial
    public string? Port { get; set; }
    public int Baud { get; set; } = 9600;
    /// <summary>lumex_ra915 (ng/m³) or jerome_j405 (mg/m³).</summary>
    public string? Format { get; set; }
}

/// <summary>One ADS1115 input and how its voltage becomes an engineering value.</summary>
public sealed class AdcChannelOptions
{
    /// <summary>AIN0..AIN3, or a differential pair such as AIN0_AIN1.</summary>
    public string Input { get; set; } = "";
    public string Name { get; set; } = "";
    public string Unit { get; set; } = "";
    /// <summary>PGA full scale: FS6144, FS4096, FS2048, FS1024, FS0512, FS0256.</summary>
    public string Range { get; set; } = "FS4096";
    public CalibrationOptions? Calibration { get; set; }
}

/// <summary>
/// current_loop (4–20 mA through a shunt, NAMUR NE43 faults), voltage_divider (0–10 V scaled down),
/// linear (gain, offset on volts), two_point, or polynomial (coefficients c0 + c1·v + c2·v² …).
/// </summary>
public sealed class CalibrationOptions
{
    public string Type { get; set; } = "";
    public string Unit { get; set; } = "";
    public double ShuntOhms { get; set; } = 150;
    public double? At4mA { get; set; }
    public double? At20mA { get; set; }
    /// <summary>Voltage divider ratio Vin/Vadc (e.g. 10 V → 3.3 V: 3.03).</summary>
    public double? DividerRatio { get; set; }
    /// <summary>For a divider: the value at 0 V and at full input voltage.</summary>
    public double? AtZeroVolts { get; set; }
    public double? AtFullScale { get; set; }
    public double? FullScaleVolts { get; set; }
    public double? Gain { get; set; }
    public double? Offset { get; set; }
    public double? Raw1 { get; set; }
    public double? Value1 { get; set; }
    public double? Raw2 { get; set; }
    public double? Value2 { get; set; }
    public List<double> Coefficients { get; set; } = [];
}
