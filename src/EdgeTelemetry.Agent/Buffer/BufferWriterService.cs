using System.Threading.Channels;
using EdgeTelemetry.Agent.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>
/// Drains the sample queue into SQLite, one transaction per commit interval, so the SD card sees
/// a few writes a second rather than one per sample. On shutdown it commits what is queued.
/// </summary>
public sealed class BufferWriterService(
    ChannelReader<PendingSample> queue,
    SampleBuffer buffer,
    BufferSignal signal,
    IOptions<AgentOptions> options,
    ILogger<BufferWriterService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var opts = options.Value.Buffer;
        var batch = new List<PendingSample>(opts.MaxSamplesPerCommit);
        try
        {
            while (await queue.WaitToReadAsync(stoppingToken))
            {
                // Let samples accumulate for one commit interval, then write them together.
                await Task.Delay(opts.CommitIntervalMs, stoppingToken);
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
            signal.Notify();
        }
        catch (Exception ex)
        {
            // Keep the samples in memory and try again on the next interval (disk full, media error).
            logger.LogError(ex, "Buffer commit of {Count} samples failed; will retry", batch.Count);
        }
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
