using System.Device.I2c;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Sensors.Mpu6050;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// Where the I2C adapters get their bus, chosen once when the agent is wired: <see cref="PiI2cHardware"/> on a Pi,
/// <see cref="EmulatedI2cHardware"/> (register-level emulators fed by the plant simulation) otherwise. The adapters
/// never learn which one they got.
/// </summary>
public interface II2cHardware
{
    /// <summary>The device at <paramref name="address"/> on the sensor's bus.</summary>
    I2cDevice Open(SensorOptions o, SensorContext ctx, int address);

    /// <summary>The clock that paces sample windows read from <paramref name="device"/>.</summary>
    IWindowClock WindowClock(I2cDevice device);
}

/// <summary>The Pi's /dev/i2c-N buses and real time.</summary>
public sealed class PiI2cHardware : II2cHardware
{
    public I2cDevice Open(SensorOptions o, SensorContext ctx, int address) => I2cDevice.Create(new I2cConnectionSettings(o.Bus, address));

    public IWindowClock WindowClock(I2cDevice device) => new RealTimeWindowClock(TimeProvider.System);
}
