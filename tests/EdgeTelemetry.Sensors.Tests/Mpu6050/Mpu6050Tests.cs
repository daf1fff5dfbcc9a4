namespace EdgeTelemetry.Sensors.Tests.Mpu6050;

using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Mpu6050;

public class Mpu6050Tests
{
    private const double SampleRateHz = 100;

    [Fact]
    public void Constructor_ChecksWhoAmI_WakesTheChip_AndWritesTheRange()
    {
        var emulator = new Mpu6050Emulator();
        Assert.True(emulator.IsAsleep); // PWR_MGMT_1 = 0x40 after power-on

        using var mpu = new Mpu6050(emulator, AccelerometerRange.G4);

        Assert.Equal(0x68, mpu.ReadWhoAmI());
        Assert.False(emulator.IsAsleep);
        Assert.Equal(AccelerometerRange.G4, emulator.Range);
    }

    [Fact]
    public void Constructor_WhoAmINot0x68_Throws()
    {
        var emulator = new Mpu6050Emulator { WhoAmI = 0x70 };

        var error = Assert.Throws<InvalidOperationException>(() => new Mpu6050(emulator));

        Assert.Contains("0x70", error.Message);
    }

    [Fact]
    public void ReadAcceleration_AtRest_ReadsOneGOnZ()
    {
        using var mpu = new Mpu6050(new Mpu6050Emulator());

        Acceleration a = mpu.ReadAcceleration();

        Assert.Equal(new Acceleration(0, 0, 1), a); // 16384 counts / 16384 LSB/g
    }

    [Theory]
    [InlineData(AccelerometerRange.G2, 1.5)]
    [InlineData(AccelerometerRange.G4, -2.5)]
    [InlineData(AccelerometerRange.G8, 7.25)]
    [InlineData(AccelerometerRange.G16, -15.5)]
    public void ReadAcceleration_ScalesByTheSelectedRange(AccelerometerRange range, double g)
    {
        var emulator = new Mpu6050Emulator();
        emulator.SetAcceleration(g, 0, 1);
        using var mpu = new Mpu6050(emulator, range);

        double lsbPerG = 16384 >> (int)range; // 16384, 8192, 4096, 2048
        Assert.Equal(Math.Round(g * lsbPerG) / lsbPerG, mpu.ReadAcceleration().X, 9);
    }

    [Fact]
    public void ReadAcceleration_BeyondTheRange_SaturatesAtTheInt16Limit()
    {
        var emulator = new Mpu6050Emulator();
        emulator.SetAcceleration(3, 0, 1);
        using var mpu = new Mpu6050(emulator, AccelerometerRange.G2);

        Assert.Equal(32767 / 16384.0, mpu.ReadAcceleration().X, 9);
    }

    [Theory]
    [InlineData(180)]
    [InlineData(280)]
    [InlineData(420)]
    public void VibrationAnalysis_FindsTheStrokeRateWithinOneStrokePerMinute(double strokesPerMinute)
    {
        var (mpu, emulator, clock) = Create();
        emulator.SetStroke(strokesPerMinute, amplitudeG: 0.4);
        emulator.SetNoise(rmsG: 0.03, seed: 7);

        VibrationSummary summary = VibrationAnalysis.Analyse(Sample(mpu, clock, 1024), SampleRateHz, 120, 480);

        Assert.False(summary.Stopped);
        Assert.InRange(summary.StrokesPerMinute, strokesPerMinute - 1, strokesPerMinute + 1);
    }

    [Fact]
    public void VibrationAnalysis_AsymmetricStrokeWithStrongerSecondHarmonic_ReportsTheFundamental()
    {
        var (mpu, emulator, clock) = Create();
        emulator.SetStroke(240, amplitudeG: 0.3, secondHarmonicRatio: 1.5); // 2nd harmonic has 2.25× the power

        VibrationSummary summary = VibrationAnalysis.Analyse(Sample(mpu, clock, 1024), SampleRateHz, 120, 600);

        Assert.InRange(summary.StrokesPerMinute, 239, 241);
    }

    [Fact]
    public void VibrationAnalysis_SinusoidalStroke_RmsIsAmplitudeOverRootTwo()
    {
        var (mpu, emulator, clock) = Create(AccelerometerRange.G4);
        emulator.SetStroke(300, amplitudeG: 0.5);

        VibrationSummary summary = VibrationAnalysis.Analyse(Sample(mpu, clock, 1000), SampleRateHz);

        // 1000 samples at 100 Hz = 50 full 5 Hz cycles; quantisation 1/8192 g.
        Assert.Equal(0.5 / Math.Sqrt(2), summary.RmsG, 3);
    }

    [Fact]
    public void VibrationAnalysis_TableNotShaking_ReportsStoppedAndZeroStrokes()
    {
        var (mpu, emulator, clock) = Create();
        emulator.SetNoise(rmsG: 0.004, seed: 3); // sensor noise only

        VibrationSummary summary = VibrationAnalysis.Analyse(Sample(mpu, clock, 512), SampleRateHz);

        Assert.True(summary.Stopped);
        Assert.Equal(0, summary.StrokesPerMinute);
    }

    [Fact]
    public void VibrationAnalysis_WindowShorterThanTwoPeriodsOfTheSlowestStroke_Throws()
    {
        var samples = Enumerable.Repeat(new Acceleration(0, 0, 1), 100).ToList(); // 1 s

        Assert.Throws<ArgumentException>(() => VibrationAnalysis.Analyse(samples, SampleRateHz, minStrokesPerMinute: 60));
    }

    private static (Mpu6050 Mpu, Mpu6050Emulator Emulator, ManualClock Clock) Create(AccelerometerRange range = AccelerometerRange.G2)
    {
        var clock = new ManualClock();
        var emulator = new Mpu6050Emulator(time: clock);
        return (new Mpu6050(emulator, range), emulator, clock);
    }

    private static List<Acceleration> Sample(Mpu6050 mpu, ManualClock clock, int count)
    {
        var samples = new List<Acceleration>(count);
        for (int i = 0; i < count; i++)
        {
            samples.Add(mpu.ReadAcceleration());
            clock.Advance(TimeSpan.FromSeconds(1 / SampleRateHz));
        }

        return samples;
    }
}
