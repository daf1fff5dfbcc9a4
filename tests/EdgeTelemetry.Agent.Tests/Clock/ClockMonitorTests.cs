using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Clock;

public class ClockMonitorTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private sealed class SettableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Real = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset BootedIntoThePast = new(1970, 1, 1, 0, 0, 10, TimeSpan.Zero);

    [Fact]
    public async Task Samples_taken_before_the_clock_is_set_are_held_then_redated_from_monotonic_time()
    {
        var wall = new SettableTime(BootedIntoThePast);
        long mono = 10_000_000_000; // 10 s since boot
        var ntp = false;
        var monitor = new ClockMonitor(wall, () => mono, () => ntp, "boot-1", new ClockOptions());
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));

        var (t1, stamp1) = monitor.Stamp();
        Assert.False(stamp1.Trusted);
        await buffer.AppendAsync([new PendingSample(t1, "centrifuge", "cf-1", [new Reading("bowl_speed", 400, Units.Rpm)], Clock: stamp1)]);
        Assert.Empty(await buffer.ReadUnsentAsync(10)); // held: its timestamp is 1970

        // 50 s later NTP sets the clock: wall jumps to the real time.
        mono += 50_000_000_000;
        wall.Now = Real;
        ntp = true;
        var o = monitor.Observe();
        Assert.True(o.BecameTrusted);
        Assert.True(o.Jumped);
        var (corrected, uncorrectable) = await buffer.CorrectClockAsync(monitor.BootId, o.OffsetNs);

        Assert.Equal((1, 0), (corrected, uncorrectable));
        var sample = Assert.Single(await buffer.ReadUnsentAsync(10));
        Assert.Equal(Time.ToUnixNanoseconds(Real) - 50_000_000_000, sample.TimestampNs); // taken 50 s before the fix
        Assert.Contains(new Reading("clock_corrected", 1, Units.None), sample.Readings);
    }

    [Fact]
    public async Task Untrusted_samples_from_an_earlier_boot_are_released_flagged_uncertain()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        await buffer.AppendAsync([new PendingSample(5, "centrifuge", "cf-1", [new Reading("bowl_speed", 400, Units.Rpm)], Clock: new ClockStamp("boot-0", 5, Trusted: false))]);
        Assert.Equal((0, 1), await buffer.CorrectClockAsync("boot-1", 123));
        Assert.Contains(new Reading("clock_uncertain", 1, Units.None), Assert.Single(await buffer.ReadUnsentAsync(10)).Readings);
    }

    [Fact]
    public void Clock_is_untrusted_before_the_earliest_date_or_without_ntp_and_jumps_are_counted()
    {
        var wall = new SettableTime(Real);
        long mono = 0;
        var ntp = true;
        var monitor = new ClockMonitor(wall, () => mono, () => ntp, "b", new ClockOptions { JumpThresholdSeconds = 2 });
        Assert.True(monitor.Observe().Trusted);
        mono += 1_000_000_000; wall.Now = Real.AddSeconds(1.5);    // drift within threshold
        Assert.False(monitor.Observe().Jumped);
        mono += 1_000_000_000; wall.Now = Real.AddSeconds(3600);   // someone set the clock an hour ahead
        Assert.True(monitor.Observe().Jumped);
        ntp = false;
        Assert.False(monitor.Observe().Trusted);
        ntp = true; wall.Now = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.False(monitor.Observe().Trusted);
        Assert.Equal(2, monitor.Jumps);
    }
}
