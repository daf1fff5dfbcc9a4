using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sensors;
using EdgeTelemetry.Agent.Sensors.Emulated;
using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>
/// Creates each configured sensor through its driver module (<see cref="SensorModules"/>). Hardware is chosen here,
/// once: the Pi's buses, or with <c>hardware: emulated</c> emulators fed by <see cref="PlantSimulation"/>.
/// </summary>
/// <param name="hardware">The agent's hardware, shared with the alarm outputs; null: the factory opens (and disposes) its own.</param>
public sealed class SensorFactory(AgentOptions options, ILoggerFactory loggers, ISensorHardware? hardware = null) : IDisposable
{
    private readonly PlantSimulation? _plant = options.Hardware == "emulated" ? new PlantSimulation() : null;
    private readonly bool _ownsHardware = hardware is null;
    private readonly ISensorHardware _hardware = hardware ?? ISensorHardware.For(options);

    public ISensor Create(SensorOptions o, int index)
    {
        var module = SensorModules.Find(o.Driver) ?? throw new ArgumentException($"unknown sensor driver '{o.Driver}'");
        var equipment = options.Equipment.FirstOrDefault(e => e.Id == o.Equipment);
        var profileName = equipment?.Profile ?? o.Profile;
        var sensor = module.Create(o, Context(o, module, equipment, profileName, index), _hardware);
        return _hardware is EmulatedHardware emulated ? emulated.Fed(o, sensor) : sensor;
    }

    /// <summary>The measurement a sensor's readings go to: explicit, else the driver's, else the equipment profile's.</summary>
    public static string MeasurementFor(SensorOptions o, ISensorModule module, string? profileName) =>
        o.Measurement ?? module.Measurement ?? EquipmentProfiles.Find(profileName)?.Measurement ?? profileName ?? "";

    private SensorContext Context(SensorOptions o, ISensorModule module, EquipmentOptions? equipment, string profileName, int index)
    {
        var measurement = MeasurementFor(o, module, profileName);
        // The plant models environment and weighing on their own; everything else as the equipment's profile.
        var truth = measurement is "environment" or "weighing" ? measurement : profileName;
        Func<string, DateTimeOffset, double?>? physics = _plant is null ? null : (channel, now) => _plant.Value(truth, o.Equipment, channel, now);
        return new SensorContext(measurement, o.Equipment, TimeSpan.FromMilliseconds(o.IntervalMs), physics,
            equipment?.BowlDiameterMm, loggers.CreateLogger($"EdgeTelemetry.Agent.Sensors.{o.Driver}"), profileName, index);
    }

    public void Dispose()
    {
        if (_ownsHardware) _hardware.Dispose();
    }
}
