using EdgeTelemetry.Agent.Buffer.Log;
using System.Threading.Channels;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Counters about the buffer that health telemetry reports.</summary>
public sealed class BufferStats
{
    public long Evicted;
    public long DroppedInMemory;
    public long CommitFailures;
    public string? LastError;
}

/// <summary>
/// Drains the sample queue into the buffer, one commit (one record) per commit interval, so the SD card sees
/// a few writes a second rather than one per sample. Keeps the file under its quota by counted
/// eviction of the oldest unsent telemetry. When the disk is full or read-only it keeps the samples
/// in memory, says so, and retries; it never stops the agent. On shutdown it commits what is queued.
/// </summary>
public sealed class BufferWriterService(
    ChannelReader<PendingSample> queue,
    SampleBuffer buffer,
    BufferSignal signal,
    BufferStats stats,
    IOptions<AgentOptions> options,
    TimeProvider clock,
    ILogger<BufferWriterService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var opts = options.Value.Buffer;
        var batch = new List<PendingSample>(opts.MaxSamplesPerCommit);
        try
        {
            while (true)
            {
                // Wait for samples, unless a failed commit left some to retry.
                if (batch.Count == 0 && !await queue.WaitToReadAsync(stoppingToken)) break;
                // Let samples accumulate for one commit interval, then write them together.
                await Task.Delay(TimeSpan.FromMilliseconds(opts.CommitIntervalMs), clock, stoppingToken);
                while (batch.Count < opts.MaxSamplesPerCommit && queue.TryRead(out var s)) batch.Add(s);
                await CommitAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        while (queue.TryRead(out var s)) batch.Add(s);
        await CommitAsync(batch, CancellationToken.None);
    }

    private async Task CommitAsync(List<PendingSample> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        try
        {
            await buffer.AppendAsync(batch, ct);
            batch.Clear();
            stats.LastError = null;
            await EnforceQuotaAsync((long)(options.Value.Buffer.QuotaMb * 1024 * 1024), ct);
            signal.Notify();
        }
        catch (BufferFullException)
        {
            stats.CommitFailures++;
            stats.LastError = "disk full";
            // Make room inside the file by evicting the oldest unsent telemetry (counted), then retry.
            var used = await buffer.UsedBytesAsync(ct);
            logger.LogError("Buffer disk full at {Used} bytes: evicting the oldest unsent telemetry to keep {Count} new samples", used, batch.Count);
            await EnforceQuotaAsync(used * 9 / 10, ct);
        }
        catch (Exception ex)
        {
            stats.CommitFailures++;
            stats.LastError = ex.Message;
            // Read-only media, I/O errors: keep the samples in memory and try again next interval.
            logger.LogError("Buffer commit of {Count} samples failed ({Error}); keeping them in memory and retrying", batch.Count, ex.Message);
        }
    }

    private async Task EnforceQuotaAsync(long quotaBytes, CancellationToken ct)
    {
        var eviction = await buffer.EnforceQuotaAsync(quotaBytes, ct);
        if (eviction is not { Count: > 0 }) return;
        stats.Evicted += eviction.Count;
        logger.LogWarning("Buffer quota {Quota} bytes reached: evicted {Count} unsent samples (seq {First}-{Last})",
            quotaBytes, eviction.Count, eviction.FirstSeq, eviction.LastSeq);
        // The central side must see an eviction as an eviction, not as a silent gap.
        await buffer.AppendAsync([new PendingSample(Time.ToUnixNanoseconds(clock.GetUtcNow()), "buffer_eviction", "agent",
            [new Reading("evicted", eviction.Count, Units.Count), new Reading("first_seq", eviction.FirstSeq, Units.Count), new Reading("last_seq", eviction.LastSeq, Units.Count)],
            SampleKind.Event)], ct);
    }
}

/// <summary>Wakes the publisher when new samples are committed.</summary>
public sealed class BufferSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); } catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
