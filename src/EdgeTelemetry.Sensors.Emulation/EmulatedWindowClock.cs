using EdgeTelemetry.Sensors.Mpu6050;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// Emulated time for a vibration window: each sample instant is reached by advancing the emulator's
/// <see cref="ManualClock"/>, so a window of seconds runs in microseconds through the same loop as on a Pi.
/// </summary>
public sealed class EmulatedWindowClock(ManualClock clock) : IWindowClock
{
    private TimeSpan _start;

    /// <inheritdoc />
    public void Start() => _start = clock.Elapsed;

    /// <inheritdoc />
    public ValueTask WaitForSampleAsync(TimeSpan offset, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        clock.AdvanceTo(_start + offset);
        return ValueTask.CompletedTask;
    }
}
