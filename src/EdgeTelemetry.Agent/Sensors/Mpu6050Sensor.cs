using System.Device.I2c;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Mpu6050;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// Shaking-table stroke rate and vibration from an MPU-6050 on the deck: one window of
/// acceleration per read, analysed for RMS and dominant frequency (strokes/min).
/// </summary>
public sealed class Mpu6050Sensor : ISensor, IDisposable
{
    private readonly SensorContext _ctx;
    private readonly SensorOptions _o;
    private readonly Mpu6050Accelerometer _imu;
    private readonly IWindowClock _clock;
    private readonly Mpu6050Emulator? _emulator;

    public Mpu6050Sensor(SensorOptions o, SensorContext ctx)
    {
        _ctx = ctx;
        _o = o;
        var address = I2cAddress.Parse(o.Address, 0x68);
        I2cDevice device;
        if (ctx.Emulated)
        {
            var emulatedTime = new ManualClock();
            device = _emulator = new Mpu6050Emulator(address, emulatedTime);
            _emulator.SetNoise(0.02, seed: 7);
            _clock = new EmulatedWindowClock(emulatedTime);
        }
        else
        {
            device = I2cDevice.Create(new I2cConnectionSettings(o.Bus, address));
            _clock = new RealTimeWindowClock(TimeProvider.System);
        }
        _imu = new Mpu6050Accelerometer(device);
    }

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public async ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var count = Math.Max(16, _o.SampleRateHz * _o.WindowMs / 1000);
        var period = TimeSpan.FromSeconds(1.0 / _o.SampleRateHz);
        if (_emulator is not null)
        {
            var spm = _ctx.Truth("stroke_rate", now);
            if (spm > 1) _emulator.SetStroke(spm, 0.6); else _emulator.StopStroke();
        }
        // One loop for both: the clock chosen at construction awaits real time on a Pi and advances emulated time otherwise.
        var samples = await _imu.ReadWindowAsync(count, period, _clock, ct);
        var summary = VibrationAnalysis.Analyse(samples, _o.SampleRateHz);
        return
        [
            new Reading(_o.Name ?? "stroke_rate", Math.Round(summary.Stopped ? 0 : summary.StrokesPerMinute, 1), Units.StrokesPerMinute),
            WireUnits.Reading("vibration_rms", UnitsNet.Acceleration.FromStandardGravity(summary.RmsG), 4),
        ];
    }

    public void Dispose() => _imu.Dispose();
}
