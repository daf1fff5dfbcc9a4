using EdgeTelemetry.Agent.Sensors.Simulated;

namespace EdgeTelemetry.Agent.Sensors.Emulated;

/// <summary>
/// The physical truth behind emulated hardware: per equipment, the signals the simulator models.
/// Emulated drivers turn these into register values, pulses or serial lines, and the real driver
/// code turns them back — so "simulated" runs exercise the code that runs on a Pi.
/// </summary>
public sealed class PlantSimulation(int seed = 1)
{
    private readonly Dictionary<(string Profile, string Equipment), Random> _random = [];
    private readonly Lock _lock = new();

    /// <summary>The value of a channel now, or null when the profile does not model it.</summary>
    public double? Value(string profile, string equipment, string channel, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_random.TryGetValue((profile, equipment), out var rnd))
                _random[(profile, equipment)] = rnd = new Random(seed ^ StableHash(profile + "/" + equipment));
            var readings = SimulatedSensor.ModelFor(profile)(now, rnd);
            return readings.FirstOrDefault(r => r.Name == channel)?.Value;
        }
    }

    /// <summary>FNV-1a: string.GetHashCode is randomised per process, and runs must be reproducible.</summary>
    private static int StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return (int)(h & 0x7fffffff);
    }
}
