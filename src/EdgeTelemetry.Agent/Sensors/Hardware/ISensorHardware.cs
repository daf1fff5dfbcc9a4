using System.Device.Gpio;
using System.Device.I2c;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Sensors.Hx711;
using EdgeTelemetry.Sensors.Mpu6050;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// Where the driver adapters get their buses (I2C, GPIO edges, the 1-wire sysfs tree), chosen once when the agent is wired: <see cref="PiHardware"/> on a Pi,
/// <see cref="EmulatedHardware"/> (register-level emulators fed by the plant simulation) otherwise. The adapters
/// never learn which one they got.
/// </summary>
public interface ISensorHardware : IDisposable
{
    /// <summary>The device at <paramref name="address"/> on the sensor's bus.</summary>
    I2cDevice Open(SensorOptions o, SensorContext ctx, int address);

    /// <summary>The clock that paces sample windows read from <paramref name="device"/>.</summary>
    IWindowClock WindowClock(I2cDevice device);

    /// <summary>
    /// Edges on the sensor's GPIO pin. <paramref name="channel"/> and <paramref name="hertzPerUnit"/> say what the
    /// pulses measure (e.g. rpm · pulses per revolution / 60), so an emulator can produce them from the plant.
    /// </summary>
    IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, string channel, double hertzPerUnit);

    /// <summary>The w1 sysfs devices folder holding the sensor's <c>w1_slave</c> file, carrying <paramref name="channel"/> in °C.</summary>
    string OpenW1(SensorOptions o, SensorContext ctx, string channel);

    /// <summary>
    /// The HX711's DOUT/PD_SCK pins and the load cell's calibration (tare offset, counts per kg) for
    /// <paramref name="channel"/>: from the configuration on a Pi, from the emulated cell otherwise.
    /// </summary>
    LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, string channel);
}

/// <summary>An HX711 with the calibration of the cell behind it.</summary>
public sealed record LoadCellWiring(IHx711Pins Pins, double Offset, double CountsPerUnit);

/// <summary>The Pi's /dev/i2c-N buses, its GPIO chip, the kernel's w1 tree and real time.</summary>
public sealed class PiHardware : ISensorHardware
{
    private GpioController? _gpio;

    public I2cDevice Open(SensorOptions o, SensorContext ctx, int address) => I2cDevice.Create(new I2cConnectionSettings(o.Bus, address));

    public IWindowClock WindowClock(I2cDevice device) => new RealTimeWindowClock(TimeProvider.System);

    public IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, string channel, double hertzPerUnit) =>
        new GpioEdgeSource(_gpio ??= new GpioController(), o.Pin ?? throw new ArgumentException("pin: is required"));

    public string OpenW1(SensorOptions o, SensorContext ctx, string channel) => o.W1Root;

    public LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, string channel) => new(
        new GpioHx711Pins(_gpio ??= new GpioController(), o.DoutPin ?? throw new ArgumentException("doutPin: is required"), o.SckPin ?? throw new ArgumentException("sckPin: is required")),
        o.Offset ?? throw new ArgumentException("offset: is required (tare)"),
        o.CountsPerUnit ?? throw new ArgumentException("countsPerUnit: is required"));

    public void Dispose() => _gpio?.Dispose();
}
