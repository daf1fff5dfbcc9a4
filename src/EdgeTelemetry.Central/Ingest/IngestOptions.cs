namespace EdgeTelemetry.Central.Ingest;

/// <summary>How the central service subscribes (section "Ingest").</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    public string BrokerHost { get; set; } = "127.0.0.1";
    public int BrokerPort { get; set; } = 1883;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool UseTls { get; set; }
    /// <summary>Stable per instance: the broker keeps this session's queue while the instance is away.</summary>
    public string ClientId { get; set; } = $"edgetelemetry-central-{Environment.MachineName.ToLowerInvariant()}";
    /// <summary>Instances in the same group split the telemetry between them (MQTT v5 shared subscription).</summary>
    public string SharedGroup { get; set; } = "central";
    public int SessionExpirySeconds { get; set; } = 7 * 24 * 3600;
    /// <summary>Most unacknowledged messages the broker may have in flight to this instance.</summary>
    public int ReceiveMaximum { get; set; } = 1000;
    public int MaxPayloadBytes { get; set; } = 256 * 1024;
    public double MaxFutureSkewMinutes { get; set; } = 60;
    public double ReconnectMaxSeconds { get; set; } = 30;
    /// <summary>Batches whose send time differs from the receive time by more than this get their points flagged clock_skew.</summary>
    public double MaxClockSkewSeconds { get; set; } = 300;

    /// <summary>Refuse (unknown_device) any (site, device) not in <see cref="KnownDevices"/>.</summary>
    public bool KnownDevicesOnly { get; set; }
    /// <summary>Enrolled devices as "site/device" (the broker user name).</summary>
    public List<string> KnownDevices { get; set; } = [];
    /// <summary>The device registry (<c>devices enroll</c>): its devices are added to <see cref="KnownDevices"/> at start.</summary>
    public string? DevicesFile { get; set; }
    /// <summary>How often a running instance looks whether <see cref="DevicesFile"/> changed (enrolments, rotations, revocations by anyone).</summary>
    public double DevicesFileReloadSeconds { get; set; } = 2;
    /// <summary>Which sites require signed batches (devices with an enrolled key must sign everywhere).</summary>
    public SignatureOptions Signatures { get; set; } = new();
    /// <summary>Measurements devices may write beyond the catalogue and agent records (a new sensor type).</summary>
    public List<string> AdditionalMeasurements { get; set; } = [];
    /// <summary>
    /// The broker connection's socket buffers (SO_RCVBUF/SO_SNDBUF; Linux caps them at net.core.rmem_max/wmem_max).
    /// MQTTnet always sets them, to 8 KiB unless told otherwise, which fixes the TCP window at ~11 KB: once the window
    /// closed, the broker's stream to us crawled at ~33 KB/s and the PUBACKs of our receipts waited behind it (bench
    /// e2e with two instances: 50 s stalls, docs/benchmarks.md §6). Over a WAN it would cap ingest at window / RTT.
    /// </summary>
    public int SocketBufferBytes { get; set; } = 1024 * 1024;
    /// <summary>Payload bytes received but not yet acknowledged that the pipeline holds; beyond it, the receive handler waits (MQTTnet still queues what the broker sends).</summary>
    // Three writes' worth of 200-sample messages is ~6 MB; more only grows memory (bench e2e).
    public long MaxInFlightBytes { get; set; } = 16L * 1024 * 1024;
    /// <summary>Longest the delivery-accounting restore may take at start before ingest goes on without the rest.</summary>
    public double RestoreTimeoutSeconds { get; set; } = 30;
    /// <summary>How often the delivery account merges what other instances of the group recorded (0: never; one instance needs none).</summary>
    public double DeliverySyncSeconds { get; set; } = 5;
    /// <summary>How far back each merge looks: longer than a delivery record can take to reach InfluxDB (a write retried through an outage).</summary>
    public double DeliverySyncWindowSeconds { get; set; } = 300;
    /// <summary>Publish a receipt to each device after its samples are written (or dead-lettered), and announce it (retained).</summary>
    public bool Receipts { get; set; } = true;
    /// <summary>How long one receipt publication may wait for the broker's PUBACK before it counts as failed.</summary>
    public double ReceiptTimeoutSeconds { get; set; } = 5;
    /// <summary>/healthz answers 503 when messages have waited this long without a successful write.</summary>
    public double StuckAfterSeconds { get; set; } = 120;
    /// <summary>
    /// Before resuming its session, read the retained wire-v2 dictionaries until none came for this long
    /// (0: don't; batches that arrive before their dictionary are then deferred and re-sent by their agents).
    /// </summary>
    public int DictionaryPreloadQuietMs { get; set; } = 300;
}
