using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sensors;
using EdgeTelemetry.Agent.Sensors.Emulated;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Agent.Sensors.Simulated;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>
/// The driver registry: one line per driver name. With <c>hardware: emulated</c> every driver gets a
/// register-level emulator fed by <see cref="PlantSimulation"/> instead of the Pi's bus.
/// </summary>
public sealed class SensorFactory(AgentOptions options, ILoggerFactory loggers) : IDisposable
{
    public static readonly IReadOnlyList<string> Drivers =
        ["ads1115", "bme280", "hx711", "ds18b20", "pulse_rpm", "pulse_flow", "mpu6050", "mercury_serial", "simulated"];

    private readonly PlantSimulation? _plant = options.Hardware == "emulated" ? new PlantSimulation() : null;
    // Hardware is chosen here, once; the adapters take whichever buses they are given.
    private readonly ISensorHardware _hardware = options.Hardware == "emulated" ? new EmulatedHardware() : new PiHardware();

    public ISensor Create(SensorOptions o, int index)
    {
        var equipment = options.Equipment.FirstOrDefault(e => e.Id == o.Equipment);
        var profileName = equipment?.Profile ?? o.Profile;
        var ctx = Context(o, equipment, profileName);
        ISensor sensor = o.Driver switch
        {
            "ads1115" => new Ads1115Sensor(o, ctx, _hardware),
            "bme280" => new Bme280Sensor(o, ctx, _hardware),
            "hx711" => new Hx711Sensor(o, ctx, _hardware),
            "ds18b20" => new Ds18b20Sensor(o, ctx, _hardware),
            "pulse_rpm" => new PulseSensor(o, ctx, isFlow: false, _hardware),
            "pulse_flow" => new PulseSensor(o, ctx, isFlow: true, _hardware),
            "mpu6050" => new Mpu6050Sensor(o, ctx, _hardware),
            "mercury_serial" => new MercurySerialSensor(o, ctx),
            "simulated" => new SimulatedSensor(profileName, o.Equipment, ctx.Interval, o.Seed ?? index + 1, ctx.Measurement),
            _ => throw new ArgumentException($"unknown sensor driver '{o.Driver}'"),
        };
        return _hardware is EmulatedHardware emulated ? emulated.Fed(o, sensor) : sensor;
    }

    /// <summary>The measurement a sensor's readings go to: explicit, else by driver kind, else the equipment profile's.</summary>
    public static string MeasurementFor(SensorOptions o, string? profileName) => o.Measurement ?? o.Driver switch
    {
        "bme280" or "ds18b20" => "environment",
        "hx711" => "weighing",
        _ => EquipmentProfiles.Find(profileName)?.Measurement ?? profileName ?? "",
    };

    private SensorContext Context(SensorOptions o, EquipmentOptions? equipment, string profileName)
    {
        var measurement = MeasurementFor(o, profileName);
        var truth = measurement is "environment" or "weighing" ? measurement : profileName;
        Func<string, DateTimeOffset, double?>? physics = _plant is null ? null : (channel, now) => _plant.Value(truth, o.Equipment, channel, now);
        return new SensorContext(measurement, o.Equipment, TimeSpan.FromMilliseconds(o.IntervalMs), physics,
            equipment?.BowlDiameterMm, loggers.CreateLogger($"EdgeTelemetry.Agent.Sensors.{o.Driver}"));
    }

    public void Dispose()
    {
        _hardware.Dispose();
    }
}
