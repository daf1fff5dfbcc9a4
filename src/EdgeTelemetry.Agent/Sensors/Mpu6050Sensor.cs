using System.Device.I2c;
using System.Diagnostics;
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
    private readonly Mpu6050 _imu;
    private readonly Mpu6050Emulator? _emulator;
    private readonly ManualClock? _emulatedClock;

    public Mpu6050Sensor(SensorOptions o, SensorContext ctx)
    {
        _ctx = ctx;
        _o = o;
        var address = I2cAddress.Parse(o.Address, 0x68);
        I2cDevice device;
        if (ctx.Emulated)
        {
            _emulatedClock = new ManualClock();
            device = _emulator = new Mpu6050Emulator(address, _emulatedClock);
            _emulator.SetNoise(0.02, seed: 7);
        }
        else
        {
            device = I2cDevice.Create(new I2cConnectionSettings(o.Bus, address));
        }
        _imu = new Mpu6050(device);
    }

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public async ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var count = Math.Max(16, _o.SampleRateHz * _o.WindowMs / 1000);
        var period = TimeSpan.FromSeconds(1.0 / _o.SampleRateHz);
        var samples = new List<Acceleration>(count);
        if (_emulator is not null)
        {
            var spm = _ctx.Truth("stroke_rate", now);
            if (spm > 1) _emulator.SetStroke(spm, 0.6); else _emulator.StopStroke();
            for (var i = 0; i < count; i++)
            {
                _emulatedClock!.Advance(period);
                samples.Add(_imu.ReadAcceleration());
            }
        }
        else
        {
            // Paced by a stopwatch on a worker thread: timer resolution on Linux is too coarse for 100 Hz.
            await Task.Run(() =>
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < count && !ct.IsCancellationRequested; i++)
                {
                    while (clock.Elapsed < period * i) Thread.SpinWait(50);
                    samples.Add(_imu.ReadAcceleration());
                }
            }, ct);
        }
        var summary = VibrationAnalysis.Analyse(samples, _o.SampleRateHz);
        return
        [
            new Reading(_o.Name ?? "stroke_rate", Math.Round(summary.Stopped ? 0 : summary.StrokesPerMinute, 1), Units.StrokesPerMinute),
            new Reading("vibration_rms", Math.Round(summary.RmsG, 4), Units.StandardGravity),
        ];
    }

    public void Dispose() => _imu.Dispose();
}
