using EdgeTelemetry.Agent.Buffer;

namespace EdgeTelemetry.Agent.Clock;

/// <summary>
/// Watches the clock once a second; when it becomes trustworthy, re-dates the samples taken while
/// it was not (from their monotonic times) so they can be sent. Jumps are logged and counted.
/// </summary>
public sealed class ClockWatchService(ClockMonitor monitor, SampleBuffer buffer, BufferSignal signal, TimeProvider clock, ILogger<ClockWatchService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Rows left untrusted by an earlier run: correct or release them as soon as the clock is good.
        var pending = await buffer.UntrustedCountAsync(stoppingToken) > 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        try
        {
            do
            {
                var o = monitor.Observe();
                if (o.Jumped)
                    logger.LogWarning("Wall clock jumped (wall - monotonic offset now {Offset:F3} s); boot {Boot}", o.OffsetNs / 1e9, monitor.BootId);
                if (!o.Trusted)
                {
                    if (!pending) logger.LogWarning("Wall clock not trustworthy (before the earliest trusted date or NTP not synchronised); holding samples for re-dating");
                    pending = true;
                    continue;
                }
                if (pending || o.BecameTrusted)
                {
                    var (corrected, uncorrectable) = await buffer.CorrectClockAsync(monitor.BootId, o.OffsetNs, stoppingToken);
                    if (corrected + uncorrectable > 0)
                        logger.LogInformation("Clock trustworthy: re-dated {Corrected} samples, released {Uncorrectable} from earlier boots flagged uncertain", corrected, uncorrectable);
                    pending = false;
                    signal.Notify();
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
