using System.Buffers.Binary;
using System.Device.I2c;

namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>
/// InvenSense MPU-6050 accelerometer on I2C (0x68 with AD0 low, 0x69 with AD0 high), used for vibration:
/// the constructor checks WHO_AM_I, wakes the chip and sets the accelerometer range; <see cref="ReadAcceleration"/>
/// burst-reads 0x3B–0x40. The gyroscope is not used.
/// </summary>
public sealed class Mpu6050 : IDisposable
{
    /// <summary>WHO_AM_I value (RM-MPU-6000A-00 §4.32).</summary>
    public const byte ExpectedWhoAmI = 0x68;

    /// <summary>Address with AD0 low.</summary>
    public const int DefaultAddress = 0x68;

    /// <summary>Address with AD0 high.</summary>
    public const int SecondaryAddress = 0x69;

    private readonly I2cDevice _device;
    private readonly bool _ownsDevice;

    /// <summary>Checks WHO_AM_I, wakes the chip (PWR_MGMT_1) and writes ACCEL_CONFIG.</summary>
    /// <exception cref="InvalidOperationException">WHO_AM_I is not 0x68.</exception>
    public Mpu6050(I2cDevice device, AccelerometerRange range = AccelerometerRange.G2, bool ownsDevice = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _ownsDevice = ownsDevice;

        byte id = ReadWhoAmI();
        if (id != ExpectedWhoAmI)
        {
            throw new InvalidOperationException(
                $"Device at 0x{device.ConnectionSettings.DeviceAddress:X2} has WHO_AM_I 0x{id:X2}, expected 0x68 for an MPU-6050 " +
                "(0x70/0x71 are MPU-6500/9250 clones with different registers).");
        }

        WakeUp();
        ConfigureAccelerometer(range);
    }

    /// <summary>Range written by the last <see cref="ConfigureAccelerometer"/>; used to scale reads.</summary>
    public AccelerometerRange Range { get; private set; }

    /// <summary>Reads WHO_AM_I (0x75).</summary>
    public byte ReadWhoAmI() => ReadRegister(Register.WhoAmI);

    /// <summary>
    /// PWR_MGMT_1 = 0x01: SLEEP cleared (it is set at power-on, §4.28) and CLKSEL = 1, the X-gyro PLL, which the
    /// register map recommends over the internal 8 MHz oscillator for stability.
    /// </summary>
    public void WakeUp() => WriteRegister(Register.PowerManagement1, 0x01);

    /// <summary>Writes AFS_SEL (ACCEL_CONFIG bits 4:3, self-test bits cleared).</summary>
    public void ConfigureAccelerometer(AccelerometerRange range)
    {
        WriteRegister(Register.AccelerometerConfig, (byte)((int)range << 3));
        Range = range;
    }

    /// <summary>Burst-reads ACCEL_XOUT_H…ACCEL_ZOUT_L (0x3B–0x40, §4.17: big-endian two's complement) and scales to g.</summary>
    public Acceleration ReadAcceleration()
    {
        Span<byte> pointer = stackalloc byte[] { (byte)Register.AccelerometerXHigh };
        Span<byte> data = stackalloc byte[6];
        _device.WriteRead(pointer, data);
        double lsbPerG = Range.LsbPerG();
        return new Acceleration(
            BinaryPrimitives.ReadInt16BigEndian(data) / lsbPerG,
            BinaryPrimitives.ReadInt16BigEndian(data[2..]) / lsbPerG,
            BinaryPrimitives.ReadInt16BigEndian(data[4..]) / lsbPerG);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }

    private void WriteRegister(Register register, byte value)
    {
        Span<byte> buffer = stackalloc byte[] { (byte)register, value };
        _device.Write(buffer);
    }

    private byte ReadRegister(Register register)
    {
        Span<byte> pointer = stackalloc byte[] { (byte)register };
        Span<byte> value = stackalloc byte[1];
        _device.WriteRead(pointer, value);
        return value[0];
    }
}
