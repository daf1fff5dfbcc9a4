namespace EdgeTelemetry.Sensors.Pulse;

/// <summary>State of a <see cref="PulseCounter"/> at one moment.</summary>
/// <param name="Count">Pulses counted since the counter started.</param>
/// <param name="TakenAt">When the snapshot was taken (edge-source clock).</param>
/// <param name="LastPulseAt">When the last counted pulse arrived, or null if none yet.</param>
/// <param name="Rejected">Edges ignored by the debounce so far.</param>
public readonly record struct PulseCountSnapshot(long Count, TimeSpan TakenAt, TimeSpan? LastPulseAt, long Rejected);

/// <summary>
/// Counts edges from an <see cref="IEdgeSource"/> with a debounce: an edge closer than
/// <see cref="Debounce"/> to the last COUNTED edge is ignored (contact bounce, electrical noise on long cables).
/// Pick the debounce well below the shortest real pulse period: e.g. a 4-magnet pickup at 3000 rpm gives
/// 200 pulses/s = 5 ms, so 1 ms is safe. Thread-safe: edges arrive on a callback thread.
/// </summary>
public sealed class PulseCounter : IDisposable
{
    private readonly IEdgeSource _source;
    private readonly Lock _gate = new();
    private long _count;
    private long _rejected;
    private TimeSpan? _lastCounted;

    /// <param name="source">Edge source (already filtered to one edge type per pulse).</param>
    /// <param name="debounce">Minimum interval between counted edges; zero counts every edge.</param>
    public PulseCounter(IEdgeSource source, TimeSpan debounce)
    {
        if (debounce < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(debounce), "Debounce cannot be negative.");
        }

        _source = source ?? throw new ArgumentNullException(nameof(source));
        Debounce = debounce;
        _source.EdgeDetected += OnEdge;
    }

    /// <summary>Minimum interval between counted edges.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>Count and timing now.</summary>
    public PulseCountSnapshot ReadSnapshot()
    {
        lock (_gate)
        {
            return new PulseCountSnapshot(_count, EdgeClock.Now(_source.Clock), _lastCounted, _rejected);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _source.EdgeDetected -= OnEdge;

    private void OnEdge(EdgeEvent edge)
    {
        lock (_gate)
        {
            if (_lastCounted is { } last && edge.Timestamp - last < Debounce)
            {
                _rejected++;
                return;
            }

            _count++;
            _lastCounted = edge.Timestamp;
        }
    }
}
