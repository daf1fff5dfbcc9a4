namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>Vibration over one window of accelerometer samples.</summary>
/// <param name="RmsG">RMS of the dynamic acceleration vector (each axis' mean, i.e. gravity, removed), in g.</param>
/// <param name="DominantFrequencyHz">Frequency with the most energy in the search band; 0 when stopped.</param>
/// <param name="StrokesPerMinute">DominantFrequencyHz × 60 (one stroke per cycle); 0 when stopped.</param>
/// <param name="Stopped">RMS below the motion threshold: the table is not shaking.</param>
public readonly record struct VibrationSummary(double RmsG, double DominantFrequencyHz, double StrokesPerMinute, bool Stopped);

/// <summary>
/// Shaking-table stroke rate from an MPU-6050 window: RMS acceleration and the dominant frequency in a band.
/// <para>
/// Why a hand-written Goertzel scan and not an FFT: the BCL has no FFT, only a narrow band matters (a table runs at
/// a few hundred strokes/min, i.e. ~2–10 Hz), and evaluating the spectrum at arbitrary frequencies in that band
/// (O(N) per frequency) gives a finer estimate than FFT bins of width fs/N without zero-padding. Coarse scan at
/// quarter-bin steps, then a fine scan around the peak. A Hann window keeps leakage from masking the peak.
/// </para>
/// <para>
/// A table's head motion is asymmetric (fast return stroke), so its acceleration has strong harmonics — and
/// acceleration weights the n-th harmonic by n². If the half-frequency carries at least 10 % of the peak's power,
/// the half-frequency is taken as the stroke rate (a sinusoid has ~no energy there).
/// </para>
/// </summary>
public static class VibrationAnalysis
{
    /// <summary>Default motion threshold: well above the MPU-6050's noise (~400 µg/√Hz) at 100 Hz sampling.</summary>
    public const double DefaultStoppedBelowRmsG = 0.02;

    private const double SubharmonicPowerRatio = 0.10;

    /// <summary>Analyses a window sampled at a constant rate.</summary>
    /// <param name="samples">Accelerations in time order, equally spaced.</param>
    /// <param name="sampleRateHz">Samples per second.</param>
    /// <param name="minStrokesPerMinute">Lower edge of the search band.</param>
    /// <param name="maxStrokesPerMinute">Upper edge of the search band (must stay below the Nyquist rate).</param>
    /// <param name="stoppedBelowRmsG">RMS below this = not moving.</param>
    /// <exception cref="ArgumentException">The window is shorter than two periods of the lowest stroke rate, or the band exceeds Nyquist.</exception>
    public static VibrationSummary Analyse(
        IReadOnlyList<Acceleration> samples,
        double sampleRateHz,
        double minStrokesPerMinute = 60,
        double maxStrokesPerMinute = 600,
        double stoppedBelowRmsG = DefaultStoppedBelowRmsG)
    {
        int n = samples.Count;
        double minHz = minStrokesPerMinute / 60.0;
        double maxHz = maxStrokesPerMinute / 60.0;
        if (maxHz >= sampleRateHz / 2)
        {
            throw new ArgumentException($"{maxStrokesPerMinute} strokes/min is above the Nyquist rate of {sampleRateHz} Hz sampling.");
        }

        if (n / sampleRateHz < 2.0 / minHz)
        {
            throw new ArgumentException(
                $"A {n / sampleRateHz:0.##} s window cannot resolve {minStrokesPerMinute} strokes/min; it needs at least {2.0 / minHz:0.##} s.");
        }

        var (x, y, z) = RemoveMean(samples);
        double sumSquares = 0;
        for (int i = 0; i < n; i++)
        {
            sumSquares += x[i] * x[i] + y[i] * y[i] + z[i] * z[i];
        }

        double rms = Math.Sqrt(sumSquares / n);
        if (rms < stoppedBelowRmsG)
        {
            return new VibrationSummary(rms, 0, 0, true);
        }

        ApplyHann(x, y, z);
        double coarseStep = sampleRateHz / n / 4;
        double peak = Scan(x, y, z, sampleRateHz, minHz, maxHz, coarseStep);
        double peakHz = Refine(x, y, z, sampleRateHz, peak, coarseStep);

        double half = peakHz / 2;
        if (half >= minHz && Power(x, y, z, sampleRateHz, Refine(x, y, z, sampleRateHz, half, coarseStep))
            >= SubharmonicPowerRatio * Power(x, y, z, sampleRateHz, peakHz))
        {
            peakHz = Refine(x, y, z, sampleRateHz, half, coarseStep);
        }

        return new VibrationSummary(rms, peakHz, peakHz * 60, false);
    }

    /// <summary>
    /// Spectral power at <paramref name="hz"/>, summed over the three axes (Goertzel:
    /// s[n] = x[n] + 2cos(ω)·s[n−1] − s[n−2]; power = s1² + s2² − 2cos(ω)·s1·s2).
    /// </summary>
    public static double Power(double[] x, double[] y, double[] z, double sampleRateHz, double hz)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * hz / sampleRateHz);
        return Goertzel(x, coefficient) + Goertzel(y, coefficient) + Goertzel(z, coefficient);
    }

    private static double Goertzel(double[] signal, double coefficient)
    {
        double s1 = 0, s2 = 0;
        foreach (double sample in signal)
        {
            double s = sample + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }

        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }

    private static double Scan(double[] x, double[] y, double[] z, double fs, double fromHz, double toHz, double step)
    {
        double bestHz = fromHz, bestPower = double.MinValue;
        for (double hz = fromHz; hz <= toHz + step / 2; hz += step)
        {
            double power = Power(x, y, z, fs, hz);
            if (power > bestPower)
            {
                bestPower = power;
                bestHz = hz;
            }
        }

        return bestHz;
    }

    // Fine scan ±1 coarse step at 1/50 of it.
    private static double Refine(double[] x, double[] y, double[] z, double fs, double aroundHz, double coarseStep) =>
        Scan(x, y, z, fs, Math.Max(coarseStep / 50, aroundHz - coarseStep), aroundHz + coarseStep, coarseStep / 50);

    private static (double[] X, double[] Y, double[] Z) RemoveMean(IReadOnlyList<Acceleration> samples)
    {
        int n = samples.Count;
        double[] x = new double[n], y = new double[n], z = new double[n];
        double mx = 0, my = 0, mz = 0;
        for (int i = 0; i < n; i++)
        {
            (x[i], y[i], z[i]) = (samples[i].X, samples[i].Y, samples[i].Z);
            mx += x[i];
            my += y[i];
            mz += z[i];
        }

        mx /= n;
        my /= n;
        mz /= n;
        for (int i = 0; i < n; i++)
        {
            x[i] -= mx;
            y[i] -= my;
            z[i] -= mz;
        }

        return (x, y, z);
    }

    private static void ApplyHann(double[] x, double[] y, double[] z)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            double w = 0.5 * (1 - Math.Cos(2 * Math.PI * i / (n - 1)));
            x[i] *= w;
            y[i] *= w;
            z[i] *= w;
        }
    }
}
