using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Sensors.Pulse;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Pulse;

/// <summary>Registration of <c>driver: pulse_rpm</c>.</summary>
public sealed class PulseRpmModule : SensorModule<PulseRpmOptions>
{
    public override string Kind => "pulse_rpm";

    protected override void BindTo(IConfigurationSection section, PulseRpmOptions o) => section.Bind(o);

    protected override void Validate(PulseRpmOptions o, SensorCheck check)
    {
        PulseChecks.Validate(o, o.Name, check);
        if (o.PulsesPerRevolution <= 0) check.Problem("pulsesPerRevolution", "must be above 0");
    }

    protected override ISensor Create(PulseRpmOptions o, SensorContext ctx, ISensorHardware hardware)
    {
        var rpm = new RpmCalculator(o.PulsesPerRevolution, TimeSpan.FromSeconds(o.StoppedAfterSeconds));
        // Pulses per second per rpm: pulses per revolution / 60.
        var edges = hardware.OpenEdges(o, ctx, PulseChecks.PinOf(o), o.Name, rpm.PulsesPerRevolution / 60.0);
        return new PulseSensor(o.Name, ctx, edges, TimeSpan.FromMilliseconds(o.DebounceMs), rpm);
    }
}

/// <summary>Registration of <c>driver: pulse_flow</c>.</summary>
public sealed class PulseFlowModule : SensorModule<PulseFlowOptions>
{
    public override string Kind => "pulse_flow";

    protected override void BindTo(IConfigurationSection section, PulseFlowOptions o) => section.Bind(o);

    protected override void Validate(PulseFlowOptions o, SensorCheck check)
    {
        PulseChecks.Validate(o, o.Name, check);
        if (o.KFactor is not > 0) check.Problem("kFactor", "is required (pulses per litre, > 0)");
    }

    protected override ISensor Create(PulseFlowOptions o, SensorContext ctx, ISensorHardware hardware)
    {
        var flow = new PulseFlowMeter(o.KFactor ?? throw new ArgumentException("kFactor: is required"), TimeSpan.FromSeconds(o.StoppedAfterSeconds));
        // Pulses per second per L/min: K pulses per litre / 60.
        var edges = hardware.OpenEdges(o, ctx, PulseChecks.PinOf(o), o.Name, flow.KFactor / 60.0);
        return new PulseSensor(o.Name, ctx, edges, TimeSpan.FromMilliseconds(o.DebounceMs), flow);
    }
}

/// <summary>What both pulse kinds check: the pin and the channel.</summary>
internal static class PulseChecks
{
    public static void Validate(PulseOptions o, string name, SensorCheck check)
    {
        if (o.Pin is null) check.Problem("pin", "is required");
        check.Pin("pin", o.Pin);
        check.Channel("name", name);
    }

    public static int PinOf(PulseOptions o) => o.Pin ?? throw new ArgumentException("pin: is required");
}
