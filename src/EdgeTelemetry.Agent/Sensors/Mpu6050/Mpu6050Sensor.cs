using System.Device.I2c;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Mpu6050;

namespace EdgeTelemetry.Agent.Sensors.Mpu6050;

/// <summary>
/// Shaking-table stroke rate and vibration from an MPU-6050 on the deck: one window of
/// acceleration per read, analysed for RMS and dominant frequency (strokes/min).
/// </summary>
public sealed class Mpu6050Sensor : DriverSensor, IDisposable
{
    private readonly Mpu6050Options _o;
    private readonly Mpu6050Accelerometer _imu;
    private readonly IWindowClock _clock;

    /// <param name="clock">Paces the window: real time on a Pi, the emulator's time otherwise; the loop is the same.</param>
    public Mpu6050Sensor(Mpu6050Options o, SensorContext ctx, I2cDevice device, IWindowClock clock)
        : base(ctx)
    {
        _o = o;
        _clock = clock;
        _imu = new Mpu6050Accelerometer(device);
    }

    public override async ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var count = Math.Max(16, _o.SampleRateHz * _o.WindowMs / 1000);
        var period = TimeSpan.FromSeconds(1.0 / _o.SampleRateHz);
        var samples = await _imu.ReadWindowAsync(count, period, _clock, ct);
        var summary = VibrationAnalysis.Analyse(samples, _o.SampleRateHz);
        return
        [
            new Reading(_o.Name, Math.Round(summary.Stopped ? 0 : summary.StrokesPerMinute, 1), Units.StrokesPerMinute),
            WireUnits.Reading("vibration_rms", UnitsNet.Acceleration.FromStandardGravity(summary.RmsG), 4),
        ];
    }

    public void Dispose() => _imu.Dispose();
}
