using System.Buffers.Binary;
using System.Device.I2c;
using System.Diagnostics;

namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>
/// TI ADS1115 16-bit I2C ADC (datasheet SBAS444), used in single-shot mode: every read writes the config
/// register with OS = 1, waits for the OS bit to read 1 again and reads the conversion register.
/// </summary>
public sealed class Ads1115 : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromMilliseconds(10);

    private readonly I2cDevice _device;
    private readonly bool _ownsDevice;

    /// <param name="device">The I2C device at 0x48–0x4B (see <see cref="Ads1115Address"/>).</param>
    /// <param name="ownsDevice">Dispose <paramref name="device"/> with this driver.</param>
    public Ads1115(I2cDevice device, bool ownsDevice = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _ownsDevice = ownsDevice;
    }

    /// <summary>
    /// How long to wait for a conversion before giving up: twice the nominal 1 / DR (covers the ±10 % oscillator
    /// tolerance with a wide margin) plus 10 ms for Linux scheduling and I2C latency, which dominate at 860 SPS.
    /// </summary>
    public static TimeSpan ConversionTimeout(DataRate rate) => rate.ConversionTime() * 2 + SchedulingSlack;

    /// <summary>Volts for a conversion code: code · FSR / 32768 (SBAS444 §9.3.3).</summary>
    public static double ToVolts(short raw, MeasuringRange range) => raw * range.FullScaleVolts() / 32768.0;

    /// <summary>Runs one single-shot conversion and returns code, volts and whether the code clipped.</summary>
    /// <exception cref="TimeoutException">The OS bit did not return to 1 within <see cref="ConversionTimeout"/>.</exception>
    public Ads1115Reading Read(InputMultiplexer input, MeasuringRange range = MeasuringRange.FS4096, DataRate rate = DataRate.SPS128)
    {
        short raw = ReadRaw(input, range, rate);
        return new Ads1115Reading(raw, ToVolts(raw, range), input, range, raw is short.MaxValue or short.MinValue);
    }

    /// <summary>Runs one single-shot conversion and returns volts.</summary>
    /// <exception cref="TimeoutException">The OS bit did not return to 1 within <see cref="ConversionTimeout"/>.</exception>
    public double ReadVoltage(InputMultiplexer input, MeasuringRange range = MeasuringRange.FS4096, DataRate rate = DataRate.SPS128) =>
        ToVolts(ReadRaw(input, range, rate), range);

    /// <summary>
    /// Single-shot conversion (SBAS444 §9.4.2): write the config with OS = 1, wait the nominal 1 / DR, poll the
    /// OS bit until it reads 1 (§9.6.3), then read the conversion register (§9.6.2, MSB first, two's complement).
    /// </summary>
    /// <exception cref="TimeoutException">The OS bit did not return to 1 within <see cref="ConversionTimeout"/>.</exception>
    public short ReadRaw(InputMultiplexer input, MeasuringRange range = MeasuringRange.FS4096, DataRate rate = DataRate.SPS128)
    {
        WriteRegister(Register.Config, ConfigRegister.SingleShot(input, range, rate));

        TimeSpan timeout = ConversionTimeout(rate);
        var elapsed = Stopwatch.StartNew();
        Thread.Sleep(rate.ConversionTime()); // no point polling before the nominal conversion time
        while (!ConfigRegister.IsIdle(ReadRegister(Register.Config)))
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"ADS1115 at 0x{_device.ConnectionSettings.DeviceAddress:X2}: conversion on {input} at {rate.SamplesPerSecond()} SPS " +
                    $"did not finish within {timeout.TotalMilliseconds:0.#} ms (OS bit stayed 0). Check power and the I2C bus.");
            }

            Thread.Sleep(PollInterval);
        }

        return (short)ReadRegister(Register.Conversion);
    }

    /// <summary>Reads the config register (OS bit shows whether a conversion is running).</summary>
    public ushort ReadConfig() => ReadRegister(Register.Config);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }

    // Register write (SBAS444 §9.5.4 "Writing and Reading the Registers"): pointer byte, then MSB, LSB.
    private void WriteRegister(Register register, ushort value)
    {
        Span<byte> buffer = stackalloc byte[3];
        buffer[0] = (byte)register;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[1..], value);
        _device.Write(buffer);
    }

    // Register read: write the pointer, then read two bytes MSB first.
    private ushort ReadRegister(Register register)
    {
        Span<byte> pointer = stackalloc byte[] { (byte)register };
        Span<byte> value = stackalloc byte[2];
        _device.WriteRead(pointer, value);
        return BinaryPrimitives.ReadUInt16BigEndian(value);
    }
}
