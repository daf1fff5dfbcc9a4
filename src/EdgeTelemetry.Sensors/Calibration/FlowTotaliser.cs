namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// Running volume total from flow-rate samples (rectangle rule: each rate holds for its interval)
/// or from volume increments (e.g. pulses / K-factor). Restore it from storage after a restart;
/// it never goes backwards.
/// </summary>
public sealed class FlowTotaliser
{
    /// <param name="initialLitres">Total carried over from storage.</param>
    public FlowTotaliser(double initialLitres = 0)
    {
        if (initialLitres < 0 || !double.IsFinite(initialLitres))
        {
            throw new ArgumentOutOfRangeException(nameof(initialLitres), "A total must be finite and non-negative.");
        }

        TotalLitres = initialLitres;
    }

    /// <summary>Volume counted so far, in litres.</summary>
    public double TotalLitres { get; private set; }

    /// <summary>Adds rate × interval. Negative or non-finite rates are ignored and reported as false.</summary>
    public bool AddFlow(double litresPerMinute, TimeSpan interval)
    {
        if (!double.IsFinite(litresPerMinute) || litresPerMinute < 0 || interval < TimeSpan.Zero)
        {
            return false;
        }

        TotalLitres += litresPerMinute * interval.TotalMinutes;
        return true;
    }

    /// <summary>Adds a measured volume. Negative or non-finite volumes are ignored and reported as false.</summary>
    public bool AddLitres(double litres)
    {
        if (!double.IsFinite(litres) || litres < 0)
        {
            return false;
        }

        TotalLitres += litres;
        return true;
    }

    /// <summary>The total in cubic metres (1 m³ = 1000 L).</summary>
    public Measured TotalCubicMetres() => Measured.Good(TotalLitres / 1000.0, "m³");
}
