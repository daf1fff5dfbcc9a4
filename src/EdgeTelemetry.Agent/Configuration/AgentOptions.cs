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
    public List<SensorOptions> Sensors { get; set; } = [];
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
    public int CommitIntervalMs { get; set; } = 500;
    public int MaxSamplesPerCommit { get; set; } = 1000;
    /// <summary>Sent rows are kept this long (for local inspection and export) before they are pruned.</summary>
    public int SentRetentionMinutes { get; set; } = 60;
}

public sealed class PublishOptions
{
    public int MaxSamplesPerBatch { get; set; } = 200;
    /// <summary>Keeps a batch under the central service's payload limit (256 KiB by default).</summary>
    public int MaxBatchBytes { get; set; } = 128 * 1024;
    public int IdleDelayMs { get; set; } = 1000;
    public int PublishTimeoutSeconds { get; set; } = 30;
    /// <summary>On a clean stop, how long to keep sending what the buffer still holds.</summary>
    public int DrainOnStopSeconds { get; set; } = 5;
    /// <summary>
    /// Treat a PUBACK "no matching subscribers" as not delivered: the broker dropped the message because
    /// the central service's persistent session does not exist yet, so the rows stay in the buffer.
    /// </summary>
    public bool RequireSubscriber { get; set; } = true;
}

public sealed class SensorOptions
{
    /// <summary>Driver name: "simulated" (more come with the drivers).</summary>
    public string Driver { get; set; } = "";
    /// <summary>Equipment profile: centrifuge, shaking_table, sluice, mercury_vapour, ...</summary>
    public string Profile { get; set; } = "";
    /// <summary>Equipment id, e.g. "icon-i150-1"; the InfluxDB equipment tag.</summary>
    public string Equipment { get; set; } = "";
    public int IntervalMs { get; set; } = 1000;
    /// <summary>Seed for simulated sources, so runs are reproducible.</summary>
    public int? Seed { get; set; }
}
