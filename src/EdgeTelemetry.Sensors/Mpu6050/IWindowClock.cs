namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>When each sample of a vibration window is due, measured from <see cref="Start"/>.</summary>
public interface IWindowClock
{
    /// <summary>Marks the window's first sample instant.</summary>
    void Start();

    /// <summary>Completes once <paramref name="offset"/> has passed since <see cref="Start"/>.</summary>
    ValueTask WaitForSampleAsync(TimeSpan offset, CancellationToken ct);
}

/// <summary>
/// Real time: awaits each sample instant with a timer instead of spinning a thread-pool thread. Offsets are from the
/// start, so timer lateness (~1 ms on Linux) shows as jitter on one sample and never accumulates across the window.
/// </summary>
public sealed class RealTimeWindowClock(TimeProvider time) : IWindowClock
{
    private long _start;

    /// <inheritdoc />
    public void Start() => _start = time.GetTimestamp();

    /// <inheritdoc />
    public ValueTask WaitForSampleAsync(TimeSpan offset, CancellationToken ct)
    {
        TimeSpan wait = offset - time.GetElapsedTime(_start);
        return wait > TimeSpan.Zero ? new ValueTask(Task.Delay(wait, time, ct)) : ValueTask.CompletedTask;
    }
}
