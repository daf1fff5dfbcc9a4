namespace EdgeTelemetry.Sensors.Pulse;

/// <summary>Flow over one window.</summary>
/// <param name="LitresPerMinute">Mean flow in the window; 0 when <paramref name="NoFlow"/>.</param>
/// <param name="WindowLitres">Volume that passed in the window.</param>
/// <param name="TotalLitres">Volume since the counter started (pulses / K).</param>
/// <param name="NoFlow">No pulse for longer than the no-flow limit.</param>
public readonly record struct FlowReading(double LitresPerMinute, double WindowLitres, double TotalLitres, bool NoFlow);

/// <summary>
/// Pulse-output flow meter (turbine / Hall paddle wheel): volume = pulses / K, with K the meter's K-factor in
/// pulses per litre from its data sheet or a bucket test. For a persistent total across restarts, feed
/// <see cref="FlowReading.WindowLitres"/> into <c>Calibration.FlowTotaliser</c>.
/// </summary>
public sealed class PulseFlowMeter
{
    /// <param name="kFactorPulsesPerLitre">Pulses per litre.</param>
    /// <param name="noFlowAfter">No pulse for longer than this means no flow (e.g. fluidisation water failed).</param>
    public PulseFlowMeter(double kFactorPulsesPerLitre, TimeSpan noFlowAfter)
    {
        if (kFactorPulsesPerLitre <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kFactorPulsesPerLitre), "The K-factor must be positive.");
        }

        KFactor = kFactorPulsesPerLitre;
        NoFlowAfter = noFlowAfter;
    }

    /// <summary>Pulses per litre.</summary>
    public double KFactor { get; }

    /// <summary>No pulse for longer than this means no flow.</summary>
    public TimeSpan NoFlowAfter { get; }

    /// <summary>Flow between two snapshots of the same counter.</summary>
    public FlowReading Calculate(PulseCountSnapshot previous, PulseCountSnapshot current)
    {
        TimeSpan window = current.TakenAt - previous.TakenAt;
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentException("The current snapshot must be later than the previous one.", nameof(current));
        }

        double windowLitres = (current.Count - previous.Count) / KFactor;
        double total = current.Count / KFactor;
        bool noFlow = current.LastPulseAt is not { } last || current.TakenAt - last > NoFlowAfter;
        return new FlowReading(noFlow ? 0 : windowLitres / window.TotalMinutes, windowLitres, total, noFlow);
    }
}
