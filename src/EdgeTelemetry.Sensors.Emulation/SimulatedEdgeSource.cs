using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// A Hall pickup or flow meter on a <see cref="ManualClock"/>: set a pulse rate, then <see cref="Advance"/> time;
/// edges are raised at their exact times (the clock is moved to each edge before it is raised). Bounce bursts can be
/// injected to exercise debouncing.
/// </summary>
public sealed class SimulatedEdgeSource : IEdgeSource
{
    private readonly ManualClock _clock;
    private double _hz;
    private TimeSpan? _nextEdge;

    /// <param name="clock">The clock edges are stamped with and that <see cref="Advance"/> moves.</param>
    public SimulatedEdgeSource(ManualClock clock) => _clock = clock ?? throw new ArgumentNullException(nameof(clock));

    /// <inheritdoc />
    public TimeProvider Clock => _clock;

    /// <inheritdoc />
    public event Action<EdgeEvent>? EdgeDetected;

    /// <summary>Edges raised so far.</summary>
    public long EdgesRaised { get; private set; }

    /// <summary>Pulses per second; 0 stops. The first edge comes one period from now.</summary>
    public void SetFrequency(double hz)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hz);
        _hz = hz;
        _nextEdge = hz > 0 ? _clock.Elapsed + TimeSpan.FromSeconds(1 / hz) : null;
    }

    /// <summary>A shaft at <paramref name="rpm"/> with <paramref name="pulsesPerRevolution"/> magnets.</summary>
    public void SetRpm(double rpm, double pulsesPerRevolution = 1) => SetFrequency(rpm * pulsesPerRevolution / 60.0);

    /// <summary>A flow meter passing <paramref name="litresPerMinute"/> with K-factor <paramref name="pulsesPerLitre"/>.</summary>
    public void SetFlow(double litresPerMinute, double pulsesPerLitre) => SetFrequency(litresPerMinute * pulsesPerLitre / 60.0);

    /// <summary>No more pulses.</summary>
    public void Stop() => SetFrequency(0);

    /// <summary>Moves time forward by <paramref name="duration"/>, raising every edge due in between.</summary>
    public void Advance(TimeSpan duration)
    {
        TimeSpan end = _clock.Elapsed + duration;
        while (_nextEdge is { } due && due <= end)
        {
            _clock.AdvanceTo(due);
            Raise();
            _nextEdge = due + TimeSpan.FromSeconds(1 / _hz);
        }

        _clock.AdvanceTo(end);
    }

    /// <summary>One edge now, followed by <paramref name="bounces"/> more at <paramref name="spacing"/> (contact bounce).</summary>
    public void EmitBurst(int bounces, TimeSpan spacing)
    {
        Raise();
        for (int i = 0; i < bounces; i++)
        {
            _clock.Advance(spacing);
            Raise();
        }
    }

    private void Raise()
    {
        EdgesRaised++;
        EdgeDetected?.Invoke(new EdgeEvent(EdgeClock.Now(_clock), Rising: false));
    }
}
