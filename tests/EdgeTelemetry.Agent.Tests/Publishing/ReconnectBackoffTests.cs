using EdgeTelemetry.Agent.Publishing;

namespace EdgeTelemetry.Agent.Tests.Publishing;

public class ReconnectBackoffTests
{
    [Fact]
    public void Delays_grow_to_the_cap_and_are_spread_by_jitter()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(1));
        var delays = Enumerable.Range(0, 200).Select(_ => backoff.Next().TotalSeconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 0.1, 60));
        Assert.All(delays.Take(3), d => Assert.True(d <= 4));           // 1, 2, 4 s ceilings
        Assert.True(delays.Skip(10).Distinct().Count() > 150);           // jitter: no two agents in lockstep
        Assert.True(delays.Skip(10).Average() is > 20 and < 40);         // full jitter over [0, 60]
    }

    [Fact]
    public void Reset_starts_again_from_the_minimum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(1));
        for (var i = 0; i < 20; i++) backoff.Next();
        backoff.Reset();
        Assert.True(backoff.Next() <= TimeSpan.FromSeconds(1));
    }
}
