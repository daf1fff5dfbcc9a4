namespace EdgeTelemetry.Sensors.Hx711;

/// <summary>A weight from several HX711 reads after outlier rejection.</summary>
/// <param name="Value">Weight in <paramref name="Unit"/>, from the mean of the kept reads.</param>
/// <param name="Unit">Unit the scale was calibrated in.</param>
/// <param name="MeanRaw">Mean raw code of the kept reads.</param>
/// <param name="SamplesUsed">Reads kept.</param>
/// <param name="SamplesRejected">Reads dropped as outliers.</param>
/// <param name="Saturated">A kept read sat at the ADC's limit: the true load may be beyond range.</param>
public readonly record struct LoadCellReading(double Value, string Unit, double MeanRaw, int SamplesUsed, int SamplesRejected, bool Saturated);

/// <summary>
/// Load-cell scale on an HX711: tare (offset = robust mean of N reads), scale factor from a known mass, and
/// median/MAD outlier rejection — bit-banged reads on a busy Pi occasionally return a corrupt value
/// (a context switch with PD_SCK high), which a plain average would carry into the weight.
/// </summary>
public sealed class LoadCellScale
{
    /// <summary>MAD multiplier for outliers (3.5 is the usual "modified z-score" cut-off, Iglewicz &amp; Hoaglin).</summary>
    public const double DefaultOutlierThreshold = 3.5;

    private readonly Func<int> _readRaw;

    /// <param name="adc">The HX711 driver.</param>
    /// <param name="unit">Unit of the calibration mass (e.g. "kg").</param>
    public LoadCellScale(Hx711 adc, string unit = "kg")
        : this((adc ?? throw new ArgumentNullException(nameof(adc))).ReadRaw, unit)
    {
    }

    /// <param name="readRaw">Source of raw codes (one conversion per call).</param>
    /// <param name="unit">Unit of the calibration mass.</param>
    public LoadCellScale(Func<int> readRaw, string unit = "kg")
    {
        _readRaw = readRaw ?? throw new ArgumentNullException(nameof(readRaw));
        Unit = unit;
    }

    /// <summary>Unit of weights.</summary>
    public string Unit { get; }

    /// <summary>Raw code with nothing on the scale.</summary>
    public double Offset { get; private set; }

    /// <summary>Raw counts per unit of weight (the scale factor). Default 1 until calibrated.</summary>
    public double CountsPerUnit { get; private set; } = 1.0;

    /// <summary>Records the empty-scale offset from the robust mean of <paramref name="samples"/> reads.</summary>
    public void Tare(int samples = 10) => Offset = ReadRobust(samples).Mean;

    /// <summary>With <paramref name="knownMass"/> on the (tared) scale, sets counts per unit.</summary>
    public void CalibrateWithKnownMass(double knownMass, int samples = 10)
    {
        if (knownMass <= 0 || !double.IsFinite(knownMass))
        {
            throw new ArgumentOutOfRangeException(nameof(knownMass), "The reference mass must be positive.");
        }

        double counts = ReadRobust(samples).Mean - Offset;
        if (counts == 0)
        {
            throw new InvalidOperationException("The reading did not change with the reference mass; check the load cell wiring.");
        }

        CountsPerUnit = counts / knownMass;
    }

    /// <summary>Restores a stored calibration.</summary>
    public void SetCalibration(double offset, double countsPerUnit)
    {
        if (countsPerUnit == 0 || !double.IsFinite(countsPerUnit))
        {
            throw new ArgumentOutOfRangeException(nameof(countsPerUnit), "Counts per unit must be finite and non-zero.");
        }

        Offset = offset;
        CountsPerUnit = countsPerUnit;
    }

    /// <summary>Reads <paramref name="samples"/> conversions, drops outliers, converts the mean to weight.</summary>
    public LoadCellReading ReadWeight(int samples = 5)
    {
        var (mean, used, rejected, saturated) = ReadRobust(samples);
        return new LoadCellReading((mean - Offset) / CountsPerUnit, Unit, mean, used, rejected, saturated);
    }

    /// <summary>
    /// Mean of the values within <paramref name="threshold"/> · 1.4826 · MAD of the median (MAD floored at one
    /// count, so a run of identical codes does not reject a neighbour one LSB away).
    /// </summary>
    public static (double Mean, int Used, int Rejected, bool Saturated) RobustMean(IReadOnlyList<int> values, double threshold = DefaultOutlierThreshold)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        double median = Median(values.Select(v => (double)v));
        double mad = Math.Max(1.0, Median(values.Select(v => Math.Abs(v - median))));
        double limit = threshold * 1.4826 * mad;

        var kept = values.Where(v => Math.Abs(v - median) <= limit).ToList();
        bool saturated = kept.Any(v => v is Hx711.MaxCode or Hx711.MinCode);
        return (kept.Average(v => (double)v), kept.Count, values.Count - kept.Count, saturated);
    }

    private (double Mean, int Used, int Rejected, bool Saturated) ReadRobust(int samples)
    {
        if (samples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), "At least one read is needed.");
        }

        var values = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            values[i] = _readRaw();
        }

        return RobustMean(values);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }
}
