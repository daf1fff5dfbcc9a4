namespace EdgeTelemetry.Sensors.Pulse;

/// <summary>One signal edge, time-stamped on the source's <see cref="IEdgeSource.Clock"/>.</summary>
/// <param name="Timestamp">Monotonic time of the edge (<see cref="TimeProvider.GetElapsedTime(long)"/> from timestamp 0).</param>
/// <param name="Rising">True for a rising edge, false for a falling edge.</param>
public readonly record struct EdgeEvent(TimeSpan Timestamp, bool Rising);

/// <summary>
/// Something that reports edges on one input: a GPIO pin in production (<see cref="GpioEdgeSource"/>),
/// a simulated pickup in tests and simulated mode.
/// </summary>
public interface IEdgeSource
{
    /// <summary>Clock the edge timestamps come from; consumers read "now" from the same clock.</summary>
    TimeProvider Clock { get; }

    /// <summary>Raised for every edge, possibly on a background thread.</summary>
    event Action<EdgeEvent>? EdgeDetected;
}

/// <summary>Time helpers shared by edge sources and counters.</summary>
public static class EdgeClock
{
    /// <summary>Monotonic "now" on <paramref name="clock"/>, in the same timebase as <see cref="EdgeEvent.Timestamp"/>.</summary>
    public static TimeSpan Now(TimeProvider clock) => clock.GetElapsedTime(0);
}
