using EdgeTelemetry.Agent.Publishing;

namespace EdgeTelemetry.Agent.Tests.Publishing;

public class TokenBucketTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void Backlog_budget_allows_the_configured_rate_and_no_more()
    {
        var time = new ManualTime();
        var bucket = new TokenBucket(100, time);
        Assert.Equal(100, bucket.Take(200));  // one second's worth to start
        Assert.Equal(0, bucket.Take(200));
        Assert.Equal(TimeSpan.FromSeconds(0.5), bucket.TimeUntil(50));
        time.Ticks += TimeSpan.TicksPerSecond / 2;
        Assert.Equal(50, bucket.Take(200));
        bucket.Return(20);
        Assert.Equal(20, bucket.Take(200));
        time.Ticks += TimeSpan.TicksPerSecond * 10;
        Assert.Equal(100, bucket.Take(1000)); // capacity caps a long idle period
    }
}
