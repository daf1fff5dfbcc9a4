using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>
/// Prunes what was receipted longer ago than the retention, once a minute, and writes the buffer's receipt
/// progress when it changed and the progress interval has passed (receipts alone may stop arriving).
/// </summary>
public sealed class BufferMaintenanceService(SampleBuffer buffer, IOptions<AgentOptions> options, TimeProvider clock, ILogger<BufferMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var progress = TimeSpan.FromSeconds(Math.Clamp(options.Value.Buffer.ProgressIntervalSeconds, 1, 60));
        using var timer = new PeriodicTimer(progress, clock);
        var lastPrune = clock.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await buffer.PersistIfDueAsync(stoppingToken);
                if (clock.GetUtcNow() - lastPrune < TimeSpan.FromMinutes(1)) continue;
                lastPrune = clock.GetUtcNow();
                var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.Buffer.SentRetentionMinutes);
                var pruned = await buffer.PruneSentAsync(Time.ToUnixNanoseconds(cutoff), stoppingToken);
                if (pruned > 0) logger.LogDebug("Pruned {Count} sent samples", pruned);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}

/// <summary>On a clean stop, writes the buffer's receipt progress once everything else has stopped (the host does not dispose the buffer it was given).</summary>
public sealed class BufferFlushOnStop(SampleBuffer buffer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => buffer.FlushAsync(cancellationToken);
}
