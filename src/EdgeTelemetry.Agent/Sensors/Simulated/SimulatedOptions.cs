using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Simulated;

/// <summary><c>driver: simulated</c> — plausible plant signals for a profile, no hardware at all (demos, tests).</summary>
public sealed class SimulatedOptions : SensorOptions
{
    /// <summary>Seed of the signal noise, so runs are reproducible (default: the sensor's position + 1).</summary>
    public int? Seed { get; set; }
}
