using System.Device.Gpio;
using System.Device.I2c;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Sensors.Hx711;
using EdgeTelemetry.Sensors.MercuryAnalyser;
using EdgeTelemetry.Sensors.Mpu6050;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// Where the driver adapters get their buses (I2C, GPIO edges, the 1-wire sysfs tree, serial ports), chosen once when the agent is wired:
/// <see cref="PiHardware"/> on a Pi, <see cref="EmulatedHardware"/> (emulators fed by the plant simulation) otherwise. A driver
/// module opens what its adapter needs here and hands it over; the adapters never learn which one they got.
/// <paramref name="o"/> in each method identifies the sensor (the emulator's feed is kept per sensor).
/// </summary>
public interface ISensorHardware : IDisposable
{
    /// <summary>The device at <paramref name="address"/> on I2C bus <paramref name="bus"/>; <paramref name="emulation"/> is the chip that stands in for it when emulated.</summary>
    I2cDevice OpenI2c(SensorOptions o, int bus, int address, I2cEmulation emulation);

    /// <summary>The clock that paces sample windows read from <paramref name="device"/>.</summary>
    IWindowClock WindowClock(I2cDevice device);

    /// <summary>
    /// Edges on GPIO <paramref name="pin"/>. <paramref name="channel"/> and <paramref name="hertzPerUnit"/> say what the
    /// pulses measure (e.g. rpm · pulses per revolution / 60), so an emulator can produce them from the plant.
    /// </summary>
    IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, int pin, string channel, double hertzPerUnit);

    /// <summary>The w1 sysfs devices folder (<paramref name="root"/> on a Pi) holding sensor <paramref name="sensorId"/>'s <c>w1_slave</c>, carrying <paramref name="channel"/> in °C.</summary>
    string OpenW1(SensorOptions o, SensorContext ctx, string root, string sensorId, string channel);

    /// <summary>
    /// The HX711's DOUT/PD_SCK pins and the load cell's calibration (tare offset, counts per kg) for
    /// <paramref name="channel"/>: from <paramref name="configured"/> on a Pi, from the emulated cell otherwise.
    /// </summary>
    LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, LoadCellSettings configured, string channel);

    /// <summary>The line stream of the instrument on serial <paramref name="port"/>; <paramref name="emulation"/> stands in for it when emulated.</summary>
    TextReader OpenSerial(SensorOptions o, string? port, int baud, SerialEmulation emulation);

    /// <summary>The GPIO chip the alarm outputs and the acknowledge button use (one controller shared with the GPIO sensors).</summary>
    GpioController OpenGpio();

    /// <summary>The hardware <paramref name="options"/> asks for: <c>hardware: emulated</c> or the Pi's.</summary>
    static ISensorHardware For(AgentOptions options) => options.Hardware == "emulated" ? new EmulatedHardware() : new PiHardware();
}

/// <summary>An HX711 with the calibration of the cell behind it.</summary>
public sealed record LoadCellWiring(IHx711Pins Pins, double Offset, double CountsPerUnit);

/// <summary>An HX711's pins and the cell's calibration as configured (calibration may be missing where the hardware brings its own).</summary>
public sealed record LoadCellSettings(int? DoutPin, int? SckPin, double? Offset, double? CountsPerUnit);

/// <summary>The Pi's /dev/i2c-N buses, its GPIO chip, the kernel's w1 tree, its serial ports and real time.</summary>
public sealed class PiHardware : ISensorHardware
{
    private readonly List<MercurySerialConnection> _serial = [];
    private GpioController? _gpio;

    public I2cDevice OpenI2c(SensorOptions o, int bus, int address, I2cEmulation emulation) => I2cDevice.Create(new I2cConnectionSettings(bus, address));

    public IWindowClock WindowClock(I2cDevice device) => new RealTimeWindowClock(TimeProvider.System);

    public IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, int pin, string channel, double hertzPerUnit) =>
        new GpioEdgeSource(OpenGpio(), pin);

    public GpioController OpenGpio() => _gpio ??= new GpioController();

    public string OpenW1(SensorOptions o, SensorContext ctx, string root, string sensorId, string channel) => root;

    public LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, LoadCellSettings configured, string channel) => new(
        new GpioHx711Pins(OpenGpio(), configured.DoutPin ?? throw new ArgumentException("doutPin: is required"), configured.SckPin ?? throw new ArgumentException("sckPin: is required")),
        configured.Offset ?? throw new ArgumentException("offset: is required (tare)"),
        configured.CountsPerUnit ?? throw new ArgumentException("countsPerUnit: is required"));

    public TextReader OpenSerial(SensorOptions o, string? port, int baud, SerialEmulation emulation)
    {
        var connection = MercurySerialConnection.Open(port ?? throw new ArgumentException("port: is required (e.g. /dev/ttyUSB0)"), baud);
        _serial.Add(connection);
        return connection.Reader;
    }

    public void Dispose()
    {
        foreach (var connection in _serial) connection.Dispose();
        _gpio?.Dispose();
    }
}
