namespace EdgeTelemetry.Agent.Publishing;

/// <summary>Limits the backlog lane to a number of samples per second (capacity: one second's worth).</summary>
public sealed class TokenBucket(double perSecond, TimeProvider clock)
{
    private readonly double _capacity = Math.Max(1, perSecond);
    private double _tokens = Math.Max(1, perSecond);
    private long _last = clock.GetTimestamp();

    /// <summary>Takes up to <paramref name="wanted"/> whole tokens.</summary>
    public int Take(int wanted)
    {
        Refill();
        var taken = (int)Math.Min(wanted, Math.Floor(_tokens));
        _tokens -= taken;
        return taken;
    }

    /// <summary>Gives back tokens taken but not used.</summary>
    public void Return(int unused) => _tokens = Math.Min(_capacity, _tokens + Math.Max(0, unused));

    public TimeSpan TimeUntil(int tokens)
    {
        Refill();
        var missing = tokens - _tokens;
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(missing / perSecond);
    }

    private void Refill()
    {
        var now = clock.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + clock.GetElapsedTime(_last, now).TotalSeconds * perSecond);
        _last = now;
    }
}
