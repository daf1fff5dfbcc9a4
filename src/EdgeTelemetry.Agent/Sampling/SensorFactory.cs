using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sensors.Simulated;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>The driver registry: one line per driver name.</summary>
public static class SensorFactory
{
    public static ISensor Create(SensorOptions o, int index) => o.Driver switch
    {
        "simulated" => new SimulatedSensor(o.Profile, o.Equipment, TimeSpan.FromMilliseconds(o.IntervalMs), o.Seed ?? index + 1),
        _ => throw new ArgumentException($"unknown sensor driver '{o.Driver}'"),
    };
}
