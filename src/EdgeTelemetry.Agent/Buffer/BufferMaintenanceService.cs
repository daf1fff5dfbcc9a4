using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Prunes rows that were sent longer ago than the retention, once a minute.</summary>
public sealed class BufferMaintenanceService(SampleBuffer buffer, IOptions<AgentOptions> options, TimeProvider clock, ILogger<BufferMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.Buffer.SentRetentionMinutes);
                var pruned = await buffer.PruneSentAsync(Time.ToUnixNanoseconds(cutoff), stoppingToken);
                if (pruned > 0) logger.LogDebug("Pruned {Count} sent samples", pruned);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
