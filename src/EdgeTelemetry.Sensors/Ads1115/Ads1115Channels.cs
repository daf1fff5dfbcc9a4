using System.Device.I2c;
using Iot.Device.Ads1115;
using UnitsNet;

namespace EdgeTelemetry.Sensors.Ads1115;

/// <summary>One single-shot conversion.</summary>
/// <param name="Raw">Conversion register, 16-bit two's complement.</param>
/// <param name="Voltage">Raw · FSR / 32768 (SBAS444 §9.3.3), from the binding.</param>
/// <param name="IsClipped">
/// True when the code sits at 0x7FFF or 0x8000: the ADC clips there (SBAS444 §9.5.3 Data Format), so the true
/// input may be anywhere beyond full scale. The binding returns the clipped code as a value; we do not.
/// </param>
public readonly record struct AdcReading(short Raw, ElectricPotential Voltage, bool IsClipped);

/// <summary>
/// An ADS1115 read through the dotnet/iot <see cref="Iot.Device.Ads1115.Ads1115"/> binding in single-shot
/// (power-down) mode: the binding writes the config, waits for the OS bit and reads the conversion register.
/// Ours: clipping detection, so a saturated input never becomes a reading.
/// </summary>
public sealed class Ads1115Channels : IDisposable
{
    private readonly I2cDevice _device;
    private readonly Iot.Device.Ads1115.Ads1115 _adc;

    /// <param name="device">The I2C device at 0x48–0x4B (see <see cref="Ads1115Address"/>); disposed with this.</param>
    public Ads1115Channels(I2cDevice device)
    {
        _device = device;
        // Power-down: every read is one fresh conversion of the requested input (channels are read in turn).
        _adc = new Iot.Device.Ads1115.Ads1115(device, deviceMode: DeviceMode.PowerDown);
    }

    /// <summary>One single-shot conversion of <paramref name="input"/>.</summary>
    /// <exception cref="TimeoutException">The OS bit did not return to 1 (the binding's poll limit).</exception>
    public AdcReading Read(InputMultiplexer input, MeasuringRange range, DataRate rate = DataRate.SPS128)
    {
        short raw = _adc.ReadRaw(input, range, rate);
        return new AdcReading(raw, _adc.RawToVoltage(raw), raw is short.MaxValue or short.MinValue);
    }

    /// <summary>
    /// Releases the bus. The binding's Dispose rewrites the config and waits for one more conversion, so on a hung
    /// chip it throws before it disposes the device; a shutdown must not fail on a dead ADC, so we release it then.
    /// </summary>
    public void Dispose()
    {
        try
        {
            _adc.Dispose();
        }
        catch (TimeoutException)
        {
            _device.Dispose();
        }
    }
}
