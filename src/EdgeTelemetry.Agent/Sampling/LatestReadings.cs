using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>The last plausible value of every channel, for the agent's page (kept in memory only).</summary>
public sealed class LatestReadings
{
    private readonly Dictionary<(string Equipment, string Measurement, string Channel), (double Value, string Unit, long TimestampNs)> _latest = [];
    private readonly Lock _lock = new();

    public sealed record Latest(string Equipment, string Measurement, string Channel, double Value, string Unit, long TimestampNs);

    public void Record(string equipment, string measurement, long timestampNs, IReadOnlyList<Reading> readings)
    {
        lock (_lock)
        {
            foreach (var r in readings) _latest[(equipment, measurement, r.Name)] = (r.Value, r.Unit, timestampNs);
        }
    }

    public IReadOnlyList<Latest> All()
    {
        lock (_lock)
        {
            return [.. _latest.OrderBy(kv => kv.Key.Equipment, StringComparer.Ordinal).ThenBy(kv => kv.Key.Measurement, StringComparer.Ordinal)
                .Select(kv => new Latest(kv.Key.Equipment, kv.Key.Measurement, kv.Key.Channel, kv.Value.Value, kv.Value.Unit, kv.Value.TimestampNs))];
        }
    }
}
