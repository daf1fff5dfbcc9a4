using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Counters for /metrics in Prometheus text format. Hand-written: the Prometheus and OpenTelemetry
/// exporter packages are not served by the registry here, and a dozen counters need no library.
/// </summary>
public sealed class IngestMetrics
{
    private long _messages, _samplesStored, _batchesWritten, _writeRetries, _statusMessages, _acked, _duplicates, _clockSkewed, _deviceEvicted, _receipts, _receiptBytes, _receiptFailures, _deferred, _replayChecks;
    private readonly ConcurrentDictionary<string, long> _rejected = new();

    public long MessagesReceived => Interlocked.Read(ref _messages);
    public long SamplesStored => Interlocked.Read(ref _samplesStored);
    public long WriteRetries => Interlocked.Read(ref _writeRetries);
    public long RejectedTotal => _rejected.Values.Sum();
    public long Rejected(string reason) => _rejected.GetValueOrDefault(reason);

    public void MessageReceived() => Interlocked.Increment(ref _messages);
    public void StatusReceived() => Interlocked.Increment(ref _statusMessages);
    /// <summary>A v2 batch whose dictionary has not arrived yet: acknowledged, not stored, sent again by its agent.</summary>
    public void Deferred() => Interlocked.Increment(ref _deferred);
    public long DeferredCount => Interlocked.Read(ref _deferred);
    /// <summary>A batch compared with stored points (it repeated arrived seqs or reached back into stored time).</summary>
    public void ReplayChecked() => Interlocked.Increment(ref _replayChecks);
    public long ReplayChecks => Interlocked.Read(ref _replayChecks);
    public void Stored(int samples) { Interlocked.Add(ref _samplesStored, samples); Interlocked.Increment(ref _batchesWritten); }
    public void Acknowledged(int messages) => Interlocked.Add(ref _acked, messages);
    public long AcknowledgedTotal => Interlocked.Read(ref _acked);
    public void WriteRetried() => Interlocked.Increment(ref _writeRetries);
    public long DuplicatesTotal => Interlocked.Read(ref _duplicates);
    public void Duplicates(long n) => Interlocked.Add(ref _duplicates, n);
    public void ClockSkewFlagged(int samples) => Interlocked.Add(ref _clockSkewed, samples);
    public void DeviceEvicted(long samples) => Interlocked.Add(ref _deviceEvicted, samples);
    public void ReceiptSent(int bytes) { Interlocked.Increment(ref _receipts); Interlocked.Add(ref _receiptBytes, bytes); }
    public void ReceiptFailed() => Interlocked.Increment(ref _receiptFailures);
    public long ReceiptsSent => Interlocked.Read(ref _receipts);
    public long ReceiptBytes => Interlocked.Read(ref _receiptBytes);
    public void Reject(string reason) => _rejected.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public string ToPrometheusText()
    {
        var sb = new StringBuilder();
        Counter(sb, "edgetelemetry_messages_received_total", "MQTT telemetry/event messages received", MessagesReceived);
        Counter(sb, "edgetelemetry_messages_acknowledged_total", "Messages acknowledged after their points were stored", Interlocked.Read(ref _acked));
        Counter(sb, "edgetelemetry_status_messages_total", "Device status messages received", Interlocked.Read(ref _statusMessages));
        Counter(sb, "edgetelemetry_deferred_total", "Wire-v2 batches whose dictionary had not arrived (not stored; their agents send them again)", Interlocked.Read(ref _deferred));
        Counter(sb, "edgetelemetry_replay_checks_total", "Batches compared with stored points before writing (replays, or samples reaching back into stored time)", ReplayChecks);
        Counter(sb, "edgetelemetry_samples_stored_total", "Samples written to InfluxDB", SamplesStored);
        Counter(sb, "edgetelemetry_influx_writes_total", "Successful InfluxDB write requests", Interlocked.Read(ref _batchesWritten));
        Counter(sb, "edgetelemetry_influx_write_retries_total", "InfluxDB write attempts that failed and were retried", WriteRetries);
        Counter(sb, "edgetelemetry_duplicate_samples_total", "Samples received again (replays after a lost acknowledgement)", DuplicatesTotal);
        Counter(sb, "edgetelemetry_clock_skewed_samples_total", "Samples from devices whose clock was far from the receiver's", Interlocked.Read(ref _clockSkewed));
        Counter(sb, "edgetelemetry_device_evicted_samples_total", "Samples devices reported evicting to stay within their buffer quota", Interlocked.Read(ref _deviceEvicted));
        Counter(sb, "edgetelemetry_receipts_sent_total", "Receipts published to devices after their samples were written", ReceiptsSent);
        Counter(sb, "edgetelemetry_receipt_bytes_total", "Payload bytes of the receipts published", ReceiptBytes);
        Counter(sb, "edgetelemetry_receipt_failures_total", "Receipts not published (no broker connection or no PUBACK); devices re-send after their timeout", Interlocked.Read(ref _receiptFailures));
        sb.Append("# HELP edgetelemetry_rejected_total Messages or samples rejected, by reason\n# TYPE edgetelemetry_rejected_total counter\n");
        foreach (var (reason, n) in _rejected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(CultureInfo.InvariantCulture, $"edgetelemetry_rejected_total{{reason=\"{reason}\"}} {n}\n");
        // The JIT's work since start: after a restart it is a large share of the CPU for a while (tiered compilation
        // re-compiles hot methods), and the e2e bench warms the service until it has settled.
        Counter(sb, "dotnet_jit_compiled_methods_total", "Methods compiled by the JIT since the process started", System.Runtime.JitInfo.GetCompiledMethodCount());
        Counter(sb, "dotnet_jit_compilation_seconds_total", "Time spent compiling by the JIT since the process started", System.Runtime.JitInfo.GetCompilationTime().TotalSeconds);
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, string name, string help, long value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    private static void Counter(StringBuilder sb, string name, string help, double value) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value:0.###}\n");
}
