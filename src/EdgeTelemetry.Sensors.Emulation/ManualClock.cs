namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// A <see cref="TimeProvider"/> that only moves when told to, so emulated waveforms and pulse trains are
/// deterministic. Timers are not supported (nothing here needs them).
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;
    private readonly DateTimeOffset _start;

    /// <param name="start">Wall-clock time at tick 0.</param>
    public ManualClock(DateTimeOffset? start = null) => _start = start ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    /// <summary>Moves time forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>Moves time forward to <paramref name="elapsed"/> (no-op if already past it).</summary>
    public void AdvanceTo(TimeSpan elapsed)
    {
        long target = elapsed.Ticks;
        long current;
        while ((current = Interlocked.Read(ref _ticks)) < target && Interlocked.CompareExchange(ref _ticks, target, current) != current)
        {
        }
    }
}
