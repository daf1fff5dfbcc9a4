namespace EdgeTelemetry.Agent.Publishing;

/// <summary>
/// Exponential backoff with full jitter: each delay is uniform in [0, min(max, min·2^n)], so a
/// hundred agents that lose the same link do not all come back in the same second.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalSeconds, min.TotalSeconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromSeconds(Math.Max(min.TotalSeconds / 10, _random.NextDouble() * ceiling));
    }

    public void Reset() => _attempt = 0;
}
