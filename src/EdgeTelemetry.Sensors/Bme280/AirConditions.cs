using System.Device.I2c;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.ReadResult;
using UnitsNet;

namespace EdgeTelemetry.Sensors.Bme280;

/// <summary>One BME280 measurement.</summary>
/// <param name="Humidity">Null when the chip's humidity trimming cannot be read correctly by the binding (see README).</param>
public readonly record struct AirConditions(Temperature Temperature, RelativeHumidity? Humidity, Pressure Pressure);

/// <summary>
/// Enclosure and ambient air through the dotnet/iot <see cref="Iot.Device.Bmxx80.Bme280"/> binding (chip id check,
/// trimming, forced mode, compensation are the binding's). Ours: ×1 oversampling for a low-rate station
/// (datasheet §3.5.1, "weather monitoring"), a skipped value as an error instead of a null, and withholding
/// humidity on chips whose dig_H4/dig_H5 are negative: binding 4.2.0 assembles these signed 12-bit values
/// (§4.2.2, Table 16) from unsigned bytes, so such a chip would report a wrong %RH without any error.
/// </summary>
public sealed class Bme280AirSensor : IDisposable
{
    // MSB registers of dig_H4 (0xE4) and dig_H5 (0xE6); bit 7 set means the 12-bit value is negative.
    private const byte DigH4Msb = 0xE4;
    private const byte DigH5Msb = 0xE6;

    private readonly Iot.Device.Bmxx80.Bme280 _bme;

    /// <param name="device">The I2C device at 0x76 (SDO to GND) or 0x77; disposed with this sensor.</param>
    /// <exception cref="IOException">The chip id at 0xD0 is not 0x60 (a BMP280 reads 0x58).</exception>
    public Bme280AirSensor(I2cDevice device)
    {
        HumidityTrimmingReadable = (ReadRegister(device, DigH4Msb) & 0x80) == 0 && (ReadRegister(device, DigH5Msb) & 0x80) == 0;
        _bme = new Iot.Device.Bmxx80.Bme280(device)
        {
            TemperatureSampling = Sampling.UltraLowPower,
            PressureSampling = Sampling.UltraLowPower,
            HumiditySampling = Sampling.UltraLowPower,
        };
    }

    /// <summary>False when dig_H4 or dig_H5 is negative: humidity is then left out of every reading.</summary>
    public bool HumidityTrimmingReadable { get; }

    /// <summary>One forced-mode conversion (the binding waits the datasheet's measurement time).</summary>
    /// <exception cref="IOException">A value came back skipped (0x80000 / 0x8000).</exception>
    public AirConditions Read()
    {
        Bme280ReadResult r = _bme.Read();
        return new AirConditions(
            r.Temperature ?? throw new IOException("BME280: temperature skipped"),
            HumidityTrimmingReadable ? r.Humidity ?? throw new IOException("BME280: humidity skipped") : null,
            r.Pressure ?? throw new IOException("BME280: pressure skipped"));
    }

    /// <inheritdoc />
    public void Dispose() => _bme.Dispose();

    private static byte ReadRegister(I2cDevice device, byte register)
    {
        Span<byte> value = stackalloc byte[1];
        device.WriteRead([register], value);
        return value[0];
    }
}
