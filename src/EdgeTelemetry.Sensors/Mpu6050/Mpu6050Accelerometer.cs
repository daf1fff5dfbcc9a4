using System.Device.I2c;
using System.Numerics;
using Iot.Device.Imu;
using UnitsNet;

namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>
/// MPU-6050 accelerometer for vibration, read through the dotnet/iot <see cref="Iot.Device.Imu.Mpu6050"/> binding
/// (reset, WHO_AM_I = 0x68 check, range, burst read of 0x3B–0x40 are the binding's). Ours: the sample window paced
/// by an <see cref="IWindowClock"/>, conversion to g for <see cref="VibrationAnalysis"/>, and keeping SMPLRT_DIV at 0,
/// because binding 4.2.0 divides its acceleration scale by (1 + SMPLRT_DIV), which the register map ties to the
/// output rate only (RM-MPU-6000A-00 §4.2), not to the data's scale.
/// </summary>
public sealed class Mpu6050Accelerometer : IDisposable
{
    private readonly Iot.Device.Imu.Mpu6050 _imu;

    /// <param name="device">The I2C device at 0x68 (AD0 low) or 0x69; disposed with this.</param>
    /// <param name="range">±2/4/8/16 g (AFS_SEL).</param>
    /// <exception cref="IOException">WHO_AM_I is not 0x68, or a register did not take the written value.</exception>
    public Mpu6050Accelerometer(I2cDevice device, AccelerometerRange range = AccelerometerRange.Range02G)
    {
        _imu = new Iot.Device.Imu.Mpu6050(device) { SampleRateDivider = 0, AccelerometerRange = range };
    }

    /// <summary>One burst read of the three axes, gravity included.</summary>
    public Acceleration Read()
    {
        Vector3 a = _imu.GetAccelerometer(); // m/s²
        return new Acceleration(
            UnitsNet.Acceleration.FromMetersPerSecondSquared(a.X).StandardGravity,
            UnitsNet.Acceleration.FromMetersPerSecondSquared(a.Y).StandardGravity,
            UnitsNet.Acceleration.FromMetersPerSecondSquared(a.Z).StandardGravity);
    }

    /// <summary>
    /// <paramref name="count"/> samples <paramref name="period"/> apart, each taken when <paramref name="clock"/>
    /// says its time has come: on a Pi the clock awaits real time (no thread is held while waiting), in emulation it
    /// advances the emulator's time, so both run this same loop.
    /// </summary>
    public async Task<List<Acceleration>> ReadWindowAsync(int count, TimeSpan period, IWindowClock clock, CancellationToken ct)
    {
        var samples = new List<Acceleration>(count);
        clock.Start();
        for (int i = 0; i < count; i++)
        {
            await clock.WaitForSampleAsync(period * i, ct).ConfigureAwait(false);
            samples.Add(Read());
        }

        return samples;
    }

    /// <inheritdoc />
    public void Dispose() => _imu.Dispose();
}
