using EdgeTelemetry.Agent.Sensors.Simulated;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>Checks a bound configuration and names every problem by its key path.</summary>
public static class AgentOptionsValidator
{
    public static IReadOnlyList<string> Validate(AgentOptions o)
    {
        var problems = new List<string>();
        if (!Topics.IsValidId(o.Site)) problems.Add($"site: '{o.Site}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
        if (!Topics.IsValidId(o.Device)) problems.Add($"device: '{o.Device}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
        if (string.IsNullOrWhiteSpace(o.Broker.Host)) problems.Add("broker:host: is empty");
        if (o.Broker.Port is < 1 or > 65535) problems.Add($"broker:port: {o.Broker.Port} is not a TCP port");
        if (string.IsNullOrWhiteSpace(o.Buffer.Path)) problems.Add("buffer:path: is empty");
        if (o.Buffer.Synchronous is not ("FULL" or "NORMAL" or "EXTRA")) problems.Add($"buffer:synchronous: '{o.Buffer.Synchronous}' must be FULL, NORMAL or EXTRA");
        if (o.Publish.MaxSamplesPerBatch < 1) problems.Add("publish:maxSamplesPerBatch: must be at least 1");
        if (o.Sensors.Count == 0) problems.Add("sensors: at least one sensor is required");
        for (var i = 0; i < o.Sensors.Count; i++)
        {
            var s = o.Sensors[i];
            var at = $"sensors:{i}";
            if (s.Driver != "simulated") problems.Add($"{at}:driver: unknown driver '{s.Driver}'");
            else if (!SimulatedSensor.Profiles.Contains(s.Profile)) problems.Add($"{at}:profile: unknown profile '{s.Profile}' ({string.Join(", ", SimulatedSensor.Profiles)})");
            if (string.IsNullOrWhiteSpace(s.Equipment)) problems.Add($"{at}:equipment: is empty");
            if (s.IntervalMs < 10) problems.Add($"{at}:intervalMs: {s.IntervalMs} is below 10 ms");
        }
        return problems;
    }
}
