using System.Threading.Channels;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Health;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Tests.Health;

public class AgentHealthServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Health_reports_backlog_age_evictions_link_and_clock_state()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var nowNs = Time.ToUnixNanoseconds(now);
        await buffer.AppendAsync([new PendingSample(nowNs - 90_000_000_000, "centrifuge", "cf-1", [new Reading("bowl_speed", 400, Units.Rpm)]),
                                  new PendingSample(nowNs - 30_000_000_000, "centrifuge", "cf-1", [new Reading("bowl_speed", 401, Units.Rpm)])]);
        var stats = new BufferStats { DroppedInMemory = 3 };
        var publisher = new PublisherStats { Connects = 4 };
        var clock = new ClockMonitor(TimeProvider.System, () => 0, () => false, "b", new ClockOptions());
        clock.Observe();
        var service = new AgentHealthService(buffer, stats, publisher, clock, Channel.CreateUnbounded<PendingSample>().Writer,
            Options.Create(new AgentOptions()), TimeProvider.System);

        var r = (await service.ReadAsync(nowNs, default)).ToDictionary(x => x.Name, x => x.Value);

        Assert.Equal(2, r["backlog"]);
        Assert.Equal(90, r["oldest_unsent_age"]);
        Assert.Equal(3, r["evictions"]);   // none evicted from disk, 3 dropped from memory
        Assert.Equal(3, r["reconnects"]);  // four connects = three reconnects
        Assert.Equal(0, r["clock_ok"]);    // NTP not synchronised
        Assert.True(r["disk_free"] > 0);
        Assert.True(r["buffer_bytes"] > 0);
    }

    [Fact]
    public async Task Health_reports_what_no_receipt_has_confirmed_yet_and_how_often_samples_went_again()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var nowNs = Time.ToUnixNanoseconds(now);
        await buffer.AppendAsync([.. Enumerable.Range(0, 4).Select(i => new PendingSample(nowNs - (120 - i * 30) * 1_000_000_000L, "centrifuge", "cf-1", [new Reading("bowl_speed", 400, Units.Rpm)]))]);
        await buffer.MarkSentAsync([1, 2, 3], sentAtNs: nowNs - 60_000_000_000);
        await buffer.ApplyReceiptAsync([(1, 1)], [(2, 2)]);      // seq 1 stored, seq 2 dead-lettered
        await buffer.ResendAsync(nowNs, sentBeforeNs: nowNs);   // seq 3 goes again…
        await buffer.MarkSentAsync([3], sentAtNs: nowNs);       // …and is published a second time
        var publisher = new PublisherStats { ReceiptsActive = true };
        publisher.ReceiptLatency.Add(TimeSpan.FromMilliseconds(400));
        var clock = new ClockMonitor(TimeProvider.System, () => 0, () => false, "b", new ClockOptions());
        var service = new AgentHealthService(buffer, new BufferStats(), publisher, clock, Channel.CreateUnbounded<PendingSample>().Writer,
            Options.Create(new AgentOptions()), TimeProvider.System);

        var r = (await service.ReadAsync(nowNs, default)).ToDictionary(x => x.Name, x => x.Value);

        Assert.Equal(1, r["backlog"]);                  // seq 4 unsent
        Assert.Equal(2, r["unreceipted"]);              // seq 3 awaiting its receipt, seq 4 unsent
        Assert.Equal(60, r["oldest_unreceipted_age"]);  // seq 3, taken 60 s ago
        Assert.Equal(3, r["oldest_unreceipted_seq"]);
        Assert.Equal(1, r["resent"]);
        Assert.Equal(1, r["receipt_rejected"]);
        Assert.Equal(1, r["receipts"]);
        Assert.Equal(0.4, r["receipt_latency_p50"]);
    }
}
