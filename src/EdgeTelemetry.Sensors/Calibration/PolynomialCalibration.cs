namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// value = c0 + c1·x + c2·x² + … (coefficients in ascending power), evaluated with Horner's rule.
/// For non-linear sensors whose calibration sheet gives a polynomial fit.
/// </summary>
public sealed class PolynomialCalibration
{
    private readonly double[] _coefficients;

    /// <param name="unit">Unit of the result.</param>
    /// <param name="coefficients">c0, c1, c2, … — at least one.</param>
    public PolynomialCalibration(string unit, params double[] coefficients)
    {
        if (coefficients.Length == 0)
        {
            throw new ArgumentException("At least one coefficient is needed.", nameof(coefficients));
        }

        Unit = unit;
        _coefficients = (double[])coefficients.Clone();
    }

    /// <summary>Unit of the result.</summary>
    public string Unit { get; }

    /// <summary>Coefficients in ascending power.</summary>
    public IReadOnlyList<double> Coefficients => _coefficients;

    /// <summary>Evaluates the polynomial at <paramref name="raw"/>.</summary>
    public double Apply(double raw)
    {
        double result = 0;
        for (int i = _coefficients.Length - 1; i >= 0; i--)
        {
            result = result * raw + _coefficients[i];
        }

        return result;
    }

    /// <summary>Evaluates and tags the result with the unit.</summary>
    public Measured Calibrate(double raw) => Measured.Good(Apply(raw), Unit);
}
