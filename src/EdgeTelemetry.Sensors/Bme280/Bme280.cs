using System.Device.I2c;
using System.Diagnostics;

namespace EdgeTelemetry.Sensors.Bme280;

/// <summary>
/// Bosch BME280 temperature / humidity / pressure sensor on I2C (datasheet BST-BME280-DS002), read in forced
/// mode: one measurement per call, the sensor sleeps in between (the datasheet's recommendation for weather
/// monitoring at ≤ 1 sample/min, §3.5.1).
/// </summary>
public sealed class Bme280 : IDisposable
{
    /// <summary>Chip id of a BME280 (§5.4.1). A BMP280 reads 0x58 and has no humidity sensor.</summary>
    public const byte ExpectedChipId = 0x60;

    /// <summary>Address with SDO to GND.</summary>
    public const int DefaultAddress = 0x76;

    /// <summary>Address with SDO to VDDIO.</summary>
    public const int SecondaryAddress = 0x77;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    private readonly I2cDevice _device;
    private readonly bool _ownsDevice;

    /// <summary>Checks the chip id and reads the trimming parameters.</summary>
    /// <param name="device">The I2C device at 0x76 or 0x77.</param>
    /// <param name="ownsDevice">Dispose <paramref name="device"/> with this driver.</param>
    /// <exception cref="InvalidOperationException">The chip id is not 0x60.</exception>
    public Bme280(I2cDevice device, bool ownsDevice = true)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _ownsDevice = ownsDevice;

        byte id = ReadChipId();
        if (id != ExpectedChipId)
        {
            string hint = id == 0x58 ? " (0x58 is a BMP280, which has no humidity sensor)" : string.Empty;
            throw new InvalidOperationException(
                $"Device at 0x{device.ConnectionSettings.DeviceAddress:X2} has chip id 0x{id:X2}, expected 0x60 for a BME280{hint}.");
        }

        Calibration = ReadCalibration();
    }

    /// <summary>Trimming parameters read at construction.</summary>
    public Bme280Calibration Calibration { get; }

    /// <summary>
    /// Worst-case measurement time (§9.1): 1.25 + 2.3·osrs_t + (2.3·osrs_p + 0.575) + (2.3·osrs_h + 0.575) ms,
    /// terms of skipped measurements omitted.
    /// </summary>
    public static TimeSpan MaxMeasurementTime(Oversampling temperature, Oversampling pressure, Oversampling humidity)
    {
        double ms = 1.25 + 2.3 * temperature.Factor();
        ms += pressure == Oversampling.Skipped ? 0 : 2.3 * pressure.Factor() + 0.575;
        ms += humidity == Oversampling.Skipped ? 0 : 2.3 * humidity.Factor() + 0.575;
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>Reads register 0xD0.</summary>
    public byte ReadChipId() => ReadRegister(Register.ChipId);

    /// <summary>One forced-mode measurement, compensated with the §4.2.3 integer formulas.</summary>
    /// <exception cref="TimeoutException">status.measuring stayed 1 beyond the timeout.</exception>
    public Bme280Reading ReadForced(
        Oversampling temperature = Oversampling.X1,
        Oversampling pressure = Oversampling.X1,
        Oversampling humidity = Oversampling.X1) =>
        Bme280Compensation.Compensate(Calibration, ReadForcedRaw(temperature, pressure, humidity));

    /// <summary>
    /// One forced-mode measurement (§3.3.3), uncompensated: write ctrl_hum, then ctrl_meas with mode = 01
    /// (ctrl_hum only takes effect on the ctrl_meas write, §5.4.3), wait the maximum measurement time, poll
    /// status.measuring (bit 3) until 0, then burst-read 0xF7–0xFE (burst read keeps the values consistent, §4).
    /// </summary>
    /// <exception cref="ArgumentException">Temperature is skipped: pressure and humidity need t_fine.</exception>
    /// <exception cref="TimeoutException">status.measuring stayed 1 for more than twice the maximum time + 10 ms.</exception>
    public Bme280RawData ReadForcedRaw(
        Oversampling temperature = Oversampling.X1,
        Oversampling pressure = Oversampling.X1,
        Oversampling humidity = Oversampling.X1)
    {
        if (temperature == Oversampling.Skipped)
        {
            throw new ArgumentException("Temperature cannot be skipped: pressure and humidity compensation need t_fine.", nameof(temperature));
        }

        WriteRegister(Register.ControlHumidity, (byte)((int)humidity & 0b111));
        WriteRegister(Register.ControlMeasurement, (byte)(((int)temperature & 0b111) << 5 | ((int)pressure & 0b111) << 2 | (int)PowerMode.Forced));

        TimeSpan expected = MaxMeasurementTime(temperature, pressure, humidity);
        TimeSpan timeout = expected * 2 + TimeSpan.FromMilliseconds(10);
        var elapsed = Stopwatch.StartNew();
        Thread.Sleep(expected);
        while ((ReadRegister(Register.Status) & 0b1000) != 0)
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"BME280 at 0x{_device.ConnectionSettings.DeviceAddress:X2}: measurement still running after {timeout.TotalMilliseconds:0.#} ms.");
            }

            Thread.Sleep(PollInterval);
        }

        Span<byte> data = stackalloc byte[8];
        ReadRegisters(Register.PressureMsb, data);
        return Bme280RawData.FromBurst(data);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }

    private Bme280Calibration ReadCalibration()
    {
        Span<byte> block1 = stackalloc byte[Bme280Calibration.Block1Length];
        Span<byte> block2 = stackalloc byte[Bme280Calibration.Block2Length];
        ReadRegisters(Register.CalibrationBlock1, block1);
        ReadRegisters(Register.CalibrationBlock2, block2);
        return Bme280Calibration.Parse(block1, block2);
    }

    // I2C write (§6.2.1): register address, then data.
    private void WriteRegister(Register register, byte value)
    {
        Span<byte> buffer = stackalloc byte[] { (byte)register, value };
        _device.Write(buffer);
    }

    private byte ReadRegister(Register register)
    {
        Span<byte> value = stackalloc byte[1];
        ReadRegisters(register, value);
        return value[0];
    }

    // I2C read (§6.2.2): write the start address, then read; the address auto-increments.
    private void ReadRegisters(Register start, Span<byte> destination)
    {
        Span<byte> pointer = stackalloc byte[] { (byte)start };
        _device.WriteRead(pointer, destination);
    }
}
