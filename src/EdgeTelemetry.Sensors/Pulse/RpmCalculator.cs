namespace EdgeTelemetry.Sensors.Pulse;

/// <summary>Shaft speed over one window.</summary>
/// <param name="Rpm">Revolutions per minute; 0 when <paramref name="Stopped"/>.</param>
/// <param name="Stopped">No pulse for longer than the stopped-after limit.</param>
/// <param name="Pulses">Pulses counted in the window.</param>
/// <param name="Window">Length of the window.</param>
public readonly record struct RpmReading(double Rpm, bool Stopped, long Pulses, TimeSpan Window);

/// <summary>
/// rpm = (pulses / pulses-per-revolution) / window-in-minutes, from two counter snapshots.
/// "Stopped" = no pulse for longer than <see cref="StoppedAfter"/> → 0 rpm and flagged, so a dead bowl is
/// reported as stopped, not as a slowly decaying average. Choose StoppedAfter longer than the pulse period at
/// the slowest real speed (e.g. 1 pulse/rev at 30 rpm = 2 s → 5 s).
/// </summary>
public sealed class RpmCalculator
{
    /// <param name="pulsesPerRevolution">Magnets / teeth per revolution.</param>
    /// <param name="stoppedAfter">No pulse for longer than this means stopped.</param>
    public RpmCalculator(double pulsesPerRevolution, TimeSpan stoppedAfter)
    {
        if (pulsesPerRevolution <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pulsesPerRevolution), "Pulses per revolution must be positive.");
        }

        PulsesPerRevolution = pulsesPerRevolution;
        StoppedAfter = stoppedAfter;
    }

    /// <summary>Pulses per revolution.</summary>
    public double PulsesPerRevolution { get; }

    /// <summary>No pulse for longer than this means stopped.</summary>
    public TimeSpan StoppedAfter { get; }

    /// <summary>Speed between two snapshots of the same counter.</summary>
    public RpmReading Calculate(PulseCountSnapshot previous, PulseCountSnapshot current)
    {
        TimeSpan window = current.TakenAt - previous.TakenAt;
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentException("The current snapshot must be later than the previous one.", nameof(current));
        }

        long pulses = current.Count - previous.Count;
        bool stopped = current.LastPulseAt is not { } last || current.TakenAt - last > StoppedAfter;
        if (stopped)
        {
            return new RpmReading(0, true, pulses, window);
        }

        return new RpmReading(pulses / PulsesPerRevolution / window.TotalMinutes, false, pulses, window);
    }
}
