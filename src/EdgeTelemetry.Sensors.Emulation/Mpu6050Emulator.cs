using System.Device.I2c;
using EdgeTelemetry.Sensors.Mpu6050;
using Iot.Device.Imu;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>Axis of the chip a stroke acts along.</summary>
public enum Mpu6050Axis
{
    /// <summary>X axis.</summary>
    X,

    /// <summary>Y axis.</summary>
    Y,

    /// <summary>Z axis.</summary>
    Z,
}

/// <summary>
/// Register-level MPU-6050 (RM-MPU-6000A-00): WHO_AM_I 0x68, PWR_MGMT_1 reset to SLEEP (0x40, data reads 0 while
/// asleep), ACCEL_CONFIG AFS_SEL scaling, and ACCEL_*OUT computed at read time from a settable waveform:
/// gravity + a stroke sinusoid (with optional 2nd harmonic, as an asymmetric table head produces) + Gaussian noise.
/// </summary>
public sealed class Mpu6050Emulator : I2cDevice
{
    private readonly object _gate = new();
    private readonly byte[] _registers = new byte[128];
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly I2cConnectionSettings _settings;
    private byte _pointer;
    private Acceleration _gravity = new(0, 0, 1);
    private double _strokeHz;
    private double _amplitudeG;
    private double _secondHarmonicRatio;
    private Mpu6050Axis _axis;
    private double _noiseRmsG;
    private Random _noise = new(1);

    /// <param name="address">0x68 or 0x69.</param>
    /// <param name="time">Clock the waveform is evaluated on; use a <see cref="ManualClock"/> for exact sampling.</param>
    public Mpu6050Emulator(int address = 0x68, TimeProvider? time = null)
    {
        _settings = new I2cConnectionSettings(1, address);
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
        _registers[0x75] = 0x68; // WHO_AM_I
        _registers[0x6B] = 0x40; // PWR_MGMT_1: SLEEP after power-on
    }

    /// <summary>WHO_AM_I value (set 0x70 to pose as an MPU-6500 clone).</summary>
    public byte WhoAmI
    {
        get => _registers[0x75];
        set => _registers[0x75] = value;
    }

    /// <summary>True while PWR_MGMT_1.SLEEP is set.</summary>
    public bool IsAsleep => (_registers[0x6B] & 0x40) != 0;

    /// <summary>Range selected by ACCEL_CONFIG.</summary>
    public AccelerometerRange Range => (AccelerometerRange)((_registers[0x1C] >> 3) & 0b11);

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings => _settings;

    /// <summary>A still sensor: constant acceleration in g (stroke stopped).</summary>
    public void SetAcceleration(double x, double y, double z)
    {
        lock (_gate)
        {
            _gravity = new Acceleration(x, y, z);
            _amplitudeG = 0;
        }
    }

    /// <summary>A shaking table: sinusoidal stroke at <paramref name="strokesPerMinute"/> on top of the static acceleration.</summary>
    /// <param name="strokesPerMinute">Stroke rate (one stroke = one cycle).</param>
    /// <param name="amplitudeG">Peak acceleration of the fundamental, in g.</param>
    /// <param name="axis">Axis of the stroke.</param>
    /// <param name="secondHarmonicRatio">Peak of the 2nd harmonic relative to the fundamental (asymmetric head motion).</param>
    public void SetStroke(double strokesPerMinute, double amplitudeG, Mpu6050Axis axis = Mpu6050Axis.X, double secondHarmonicRatio = 0)
    {
        lock (_gate)
        {
            _strokeHz = strokesPerMinute / 60.0;
            _amplitudeG = amplitudeG;
            _axis = axis;
            _secondHarmonicRatio = secondHarmonicRatio;
        }
    }

    /// <summary>Stops the stroke (static acceleration stays).</summary>
    public void StopStroke()
    {
        lock (_gate)
        {
            _amplitudeG = 0;
        }
    }

    /// <summary>Adds Gaussian noise of <paramref name="rmsG"/> per axis, from a seeded generator (repeatable).</summary>
    public void SetNoise(double rmsG, int seed = 1)
    {
        lock (_gate)
        {
            _noiseRmsG = rmsG;
            _noise = new Random(seed);
        }
    }

    /// <summary>The acceleration the chip senses now, in g, before quantisation.</summary>
    public Acceleration CurrentAcceleration()
    {
        lock (_gate)
        {
            double t = _time.GetElapsedTime(_start).TotalSeconds;
            double stroke = _amplitudeG * (Math.Sin(2 * Math.PI * _strokeHz * t)
                                           + _secondHarmonicRatio * Math.Sin(2 * Math.PI * 2 * _strokeHz * t + 0.7));
            double x = _gravity.X + (_axis == Mpu6050Axis.X ? stroke : 0) + Gaussian();
            double y = _gravity.Y + (_axis == Mpu6050Axis.Y ? stroke : 0) + Gaussian();
            double z = _gravity.Z + (_axis == Mpu6050Axis.Z ? stroke : 0) + Gaussian();
            return new Acceleration(x, y, z);
        }
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _pointer = (byte)(buffer[0] & 0x7F);
            for (int i = 1; i < buffer.Length; i++)
            {
                int register = (_pointer + i - 1) & 0x7F;
                if (register is 0x19 or 0x1A or 0x1C or 0x6B)
                {
                    _registers[register] = register == 0x6B ? (byte)(buffer[i] & 0x7F) : buffer[i]; // DEVICE_RESET self-clears
                }
            }
        }
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            if (_pointer <= 0x40 && _pointer + buffer.Length > 0x3B)
            {
                LatchAccelerometer(); // one consistent sample per burst
            }

            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = _registers[(_pointer + i) & 0x7F];
            }
        }
    }

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void LatchAccelerometer()
    {
        if (IsAsleep)
        {
            Array.Clear(_registers, 0x3B, 6);
            return;
        }

        Acceleration a = CurrentAcceleration();
        double lsbPerG = 16384 >> (int)Range; // PS-MPU-6000A-00 §6.2: 16384, 8192, 4096, 2048 LSB/g
        WriteAxis(0x3B, a.X * lsbPerG);
        WriteAxis(0x3D, a.Y * lsbPerG);
        WriteAxis(0x3F, a.Z * lsbPerG);
    }

    private void WriteAxis(int register, double counts)
    {
        short code = (short)Math.Clamp(Math.Round(counts), short.MinValue, short.MaxValue);
        _registers[register] = (byte)(code >> 8);
        _registers[register + 1] = (byte)code;
    }

    // Box–Muller.
    private double Gaussian()
    {
        if (_noiseRmsG == 0)
        {
            return 0;
        }

        double u1 = 1.0 - _noise.NextDouble();
        double u2 = _noise.NextDouble();
        return _noiseRmsG * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
