using System.Threading.Channels;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Health;

/// <summary>
/// The agent's own health as telemetry (measurement agent_health, equipment "agent"), buffered and
/// published like any other sample so the fleet view shows backlog, evictions, disk, clock and link.
/// </summary>
public sealed class AgentHealthService(
    SampleBuffer buffer,
    BufferStats bufferStats,
    PublisherStats publisherStats,
    ClockMonitor clockMonitor,
    ChannelWriter<PendingSample> queue,
    IOptions<AgentOptions> options,
    TimeProvider clock) : BackgroundService
{
    public const string Measurement = EdgeTelemetry.Model.Measurements.AgentHealth;
    private readonly DateTimeOffset _started = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Health.IntervalSeconds), clock);
        try
        {
            do
            {
                var (timestampNs, stamp) = clockMonitor.Stamp();
                await queue.WriteAsync(new PendingSample(timestampNs, Measurement, "agent", await ReadAsync(timestampNs, stoppingToken), Clock: stamp), stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public async Task<IReadOnlyList<Reading>> ReadAsync(long nowNs, CancellationToken ct)
    {
        var backlog = await buffer.BacklogAsync(ct);
        var (resent, rejected) = await buffer.ReceiptCountersAsync(ct);
        double Age(long? oldestNs) => oldestNs is { } o ? Math.Max(0, (nowNs - o) / 1e9) : 0;
        var readings = new List<Reading>
        {
            new("backlog", backlog.Unsent, Units.Count),
            new("oldest_unsent_age", Age(backlog.OldestUnsentNs), Units.Second),
            // Not yet confirmed stored by a receipt (unsent included): what the device still answers for.
            new("unreceipted", backlog.Unreceipted, Units.Count),
            new("oldest_unreceipted_age", Age(backlog.OldestUnreceiptedNs), Units.Second),
            new("oldest_unreceipted_seq", backlog.OldestUnreceiptedSeq ?? backlog.MaxSeq + 1, Units.None),
            new("receipts", publisherStats.ReceiptsActive ? 1 : 0, Units.None),
            new("resent", resent, Units.Count),
            new("receipt_rejected", rejected, Units.Count),
            new("evictions", await buffer.EvictedTotalAsync(ct) + Interlocked.Read(ref bufferStats.DroppedInMemory), Units.Count),
            new("buffer_bytes", await buffer.UsedBytesAsync(ct), Units.Byte),
            new("uptime", Math.Round((clock.GetUtcNow() - _started).TotalSeconds), Units.Second),
            new("reconnects", Math.Max(0, Interlocked.Read(ref publisherStats.Connects) - 1), Units.Count),
            new("clock_ok", clockMonitor.Trusted ? 1 : 0, Units.None),
            new("clock_jumps", clockMonitor.Jumps, Units.Count),
        };
        if (publisherStats.ReceiptLatency.Percentile(0.5) is { } p50) readings.Add(new Reading("receipt_latency_p50", Math.Round(p50.TotalSeconds, 3), Units.Second));
        if (publisherStats.ReceiptLatency.Percentile(0.99) is { } p99) readings.Add(new Reading("receipt_latency_p99", Math.Round(p99.TotalSeconds, 3), Units.Second));
        if (DiskFree(buffer.Path) is { } free) readings.Add(new Reading("disk_free", free, Units.Byte));
        if (CpuTemperature() is { } celsius) readings.Add(new Reading("cpu_temperature", celsius, Units.Celsius));
        return readings;
    }

    private static long? DiskFree(string path)
    {
        try { return new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/").AvailableFreeSpace; }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The SoC temperature a Pi exposes in millidegrees; absent on most other machines.</summary>
    private static double? CpuTemperature()
    {
        try
        {
            var text = File.ReadAllText("/sys/class/thermal/thermal_zone0/temp").Trim();
            return long.TryParse(text, out var milli) ? milli / 1000.0 : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }
}
