namespace EdgeTelemetry.Sensors.Tests.Mpu6050;

using System.Diagnostics;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Mpu6050;
using Iot.Device.Imu;

public class Mpu6050Tests
{
    private const double SampleRateHz = 100;

    // The binding scales with g = 9.807 m/s², UnitsNet converts back with 9.80665: 36 ppm apart.
    private const double ScaleTolerance = 1e-4;

    [Fact]
    public void Binding_Constructor_WakesTheChip_AndWritesTheRange()
    {
        var emulator = new Mpu6050Emulator();
        Assert.True(emulator.IsAsleep); // PWR_MGMT_1 = 0x40 after power-on

        using var mpu = new Mpu6050Accelerometer(emulator, AccelerometerRange.Range04G);

        Assert.False(emulator.IsAsleep);
        Assert.Equal(AccelerometerRange.Range04G, emulator.Range);
    }

    [Fact]
    public void Binding_WhoAmINot0x68_Throws()
    {
        var emulator = new Mpu6050Emulator { WhoAmI = 0x70 };

        Assert.ThrowsAny<IOException>(() => new Mpu6050Accelerometer(emulator));
    }

    [Fact]
    public void Read_AtRest_ReadsOneGOnZ()
    {
        using var mpu = new Mpu6050Accelerometer(new Mpu6050Emulator());

        Acceleration a = mpu.Read();

        Assert.Equal(0, a.X, 9);
        Assert.Equal(0, a.Y, 9);
        Assert.Equal(1, a.Z, ScaleTolerance); // 16384 counts / 16384 LSB/g
    }

    [Theory]
    [InlineData(AccelerometerRange.Range02G, 1.5)]
    [InlineData(AccelerometerRange.Range04G, -2.5)]
    [InlineData(AccelerometerRange.Range08G, 7.25)]
    [InlineData(AccelerometerRange.Range16G, -15.5)]
    public void Read_ScalesByTheSelectedRange(AccelerometerRange range, double g)
    {
        var emulator = new Mpu6050Emulator();
        emulator.SetAcceleration(g, 0, 1);
        using var mpu = new Mpu6050Accelerometer(emulator, range);

        double lsbPerG = 16384 >> (int)range; // 16384, 8192, 4096, 2048
        Assert.Equal(Math.Round(g * lsbPerG) / lsbPerG, mpu.Read().X, Math.Abs(g) * ScaleTolerance);
    }

    [Fact]
    public void Read_BeyondTheRange_SaturatesAtTheInt16Limit()
    {
        var emulator = new Mpu6050Emulator();
        emulator.SetAcceleration(3, 0, 1);
        using var mpu = new Mpu6050Accelerometer(emulator, AccelerometerRange.Range02G);

        Assert.Equal(32767 / 16384.0, mpu.Read().X, ScaleTolerance);
    }

    [Fact]
    public void Binding_DividesItsScaleBySampleRateDivider_SoOursKeepsTheDividerAtZero()
    {
        var emulator = new Mpu6050Emulator();
        using var binding = new Iot.Device.Imu.Mpu6050(emulator) { SampleRateDivider = 9 };

        // Same 1 g in the data registers, but the binding reports a tenth of it.
        Assert.Equal(9.807 / 10, binding.GetAccelerometer().Z, 3);

        using var ours = new Mpu6050Accelerometer(emulator);
        Assert.Equal(1, ours.Read().Z, ScaleTolerance);
    }

    [Fact]
    public async Task ReadWindowAsync_OnRealTime_SpreadsTheSamplesOverTheWindow()
    {
        using var mpu = new Mpu6050Accelerometer(new Mpu6050Emulator());
        var elapsed = Stopwatch.StartNew();

        var samples = await mpu.ReadWindowAsync(11, TimeSpan.FromMilliseconds(10), new RealTimeWindowClock(TimeProvider.System), default);

        Assert.Equal(11, samples.Count);
        Assert.True(elapsed.Elapsed >= TimeSpan.FromMilliseconds(100), $"took {elapsed.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task ReadWindowAsync_OnEmulatedTime_AdvancesTheEmulatorOnePeriodPerSample()
    {
        var clock = new ManualClock();
        using var mpu = new Mpu6050Accelerometer(new Mpu6050Emulator(time: clock));

        await mpu.ReadWindowAsync(200, TimeSpan.FromMilliseconds(10), new EmulatedWindowClock(clock), default);

        Assert.Equal(TimeSpan.FromMilliseconds(1990), clock.Elapsed);
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
        var (mpu, emulator, clock) = Create(AccelerometerRange.Range04G);
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

    private static (Mpu6050Accelerometer Mpu, Mpu6050Emulator Emulator, ManualClock Clock) Create(AccelerometerRange range = AccelerometerRange.Range02G)
    {
        var clock = new ManualClock();
        var emulator = new Mpu6050Emulator(time: clock);
        return (new Mpu6050Accelerometer(emulator, range), emulator, clock);
    }

    private static List<Acceleration> Sample(Mpu6050Accelerometer mpu, ManualClock clock, int count) =>
        mpu.ReadWindowAsync(count, TimeSpan.FromSeconds(1 / SampleRateHz), new EmulatedWindowClock(clock), default).GetAwaiter().GetResult();
}
