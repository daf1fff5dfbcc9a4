using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Simulated;

/// <summary>Registration of <c>driver: simulated</c>: the equipment need not be listed; without an entry, <c>profile</c> says what to simulate.</summary>
public sealed class SimulatedModule : SensorModule<SimulatedOptions>
{
    public override string Kind => "simulated";
    public override bool NeedsListedEquipment => false;

    protected override void BindTo(IConfigurationSection section, SimulatedOptions o) => section.Bind(o);

    protected override void Validate(SimulatedOptions o, SensorCheck check)
    {
        var profile = check.Equipment?.Profile ?? o.Profile;
        if (!SimulatedSensor.Profiles.Contains(profile)) check.Problem("profile", $"unknown profile '{profile}' ({string.Join(", ", SimulatedSensor.Profiles)})");
        if (!EquipmentIds.IsValid(o.Equipment)) check.Problem("equipment", $"'{o.Equipment}' must match {EquipmentIds.Pattern}");
    }

    protected override ISensor Create(SimulatedOptions o, SensorContext ctx, ISensorHardware hardware) =>
        new SimulatedSensor(ctx.Profile, o.Equipment, ctx.Interval, o.Seed ?? ctx.Index + 1, ctx.Measurement);
}
