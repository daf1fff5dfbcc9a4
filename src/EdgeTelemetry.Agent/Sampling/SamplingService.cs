using System.Threading.Channels;
using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>Samples every sensor on its own interval and queues the samples for the buffer writer.</summary>
public sealed class SamplingService(
    IEnumerable<ISensor> sensors,
    ChannelWriter<PendingSample> queue,
    AlarmMonitor alarms,
    ClockMonitor clockMonitor,
    TimeProvider clock,
    ILogger<SamplingService> logger,
    LatestReadings? latest = null) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(sensors.Select(s => RunAsync(s, stoppingToken)));

    private async Task RunAsync(ISensor sensor, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(sensor.Interval, clock);
        try
        {
            do
            {
                try
                {
                    // Boot id + monotonic time travel with the sample so a wrong wall clock can be corrected later.
                    var (timestampNs, stamp) = clockMonitor.Stamp();
                    var now = Time.FromUnixNanoseconds(timestampNs);
                    var (readings, events) = alarms.Inspect(sensor.Equipment, timestampNs, await sensor.ReadAsync(now, ct));
                    if (readings.Count > 0) latest?.Record(sensor.Equipment, sensor.Measurement, timestampNs, readings);
                    if (readings.Count > 0)
                        await queue.WriteAsync(new PendingSample(timestampNs, sensor.Measurement, sensor.Equipment, readings, Clock: stamp), ct);
                    foreach (var e in events) await queue.WriteAsync(e with { Clock = stamp }, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failing instrument must not stop the others; the gap shows in the data.
                    logger.LogWarning(ex, "Reading {Measurement} on {Equipment} failed", sensor.Measurement, sensor.Equipment);
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }
}
