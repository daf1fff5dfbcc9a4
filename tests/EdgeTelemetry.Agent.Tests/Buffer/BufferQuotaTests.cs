using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using EdgeTelemetry.Agent.Buffer.Log;

namespace EdgeTelemetry.Agent.Tests.Buffer;

public class BufferQuotaTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    // Values without a short decimal form (raw doubles in the record), so the test data spans many small segments.
    private static PendingSample Telemetry(long t) => new(t, "centrifuge", "cf-1", [new Reading("bowl_speed", 400 + Math.Sqrt(t + 2), Units.Rpm), new Reading("fluidisation_pressure", 110 + Math.Sqrt(t + 3), Units.KiloPascal)]);
    private static PendingSample Alarm(long t) => new(t, "alarm", "cf-1", [new Reading("fluidisation_lost", 1, Units.None)], SampleKind.Event);

    [Fact]
    public async Task Over_quota_the_oldest_unsent_telemetry_goes_first_and_events_stay()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        await buffer.AppendAsync([Alarm(0)]);
        for (var i = 0; i < 20; i++) await buffer.AppendAsync(Enumerable.Range(i * 500, 500).Select(t => Telemetry(t)).ToList());
        await buffer.AppendAsync([Alarm(99_999)]);
        var used = await buffer.UsedBytesAsync();

        var eviction = await buffer.EnforceQuotaAsync(used / 2);

        Assert.NotNull(eviction);
        Assert.True(await buffer.UsedBytesAsync() <= used / 2, "must end under the quota");
        Assert.Equal(2, eviction.FirstSeq); // seq 1 is the first alarm
        Assert.Equal(eviction.Count, eviction.LastSeq - eviction.FirstSeq + 1); // a contiguous run of the oldest
        Assert.Equal(eviction.Count, await buffer.EvictedTotalAsync());
        Assert.Equal(2, (await buffer.ReadUnsentAsync(10, SampleKind.Event)).Count); // both alarms kept
        var remaining = await buffer.ReadUnsentAsync(100_000);
        Assert.Equal(eviction.LastSeq + 1, remaining[0].Seq);
        Assert.Equal(10_000 - eviction.Count, remaining.Count);
    }

    [Fact]
    public async Task Events_of_evicted_segments_survive_even_when_every_telemetry_segment_goes_the_tail_included()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        await buffer.AppendAsync([Alarm(0)]);
        for (var i = 0; i < 10; i++) await buffer.AppendAsync(Enumerable.Range(i * 300, 300).Select(t => Telemetry(t)).ToList());
        await buffer.AppendAsync([Alarm(99_999)]);

        // A quota no telemetry fits in: every segment holding telemetry goes, the one being written too.
        var eviction = await buffer.EnforceQuotaAsync(16384);

        Assert.Equal(3000, eviction!.Count);
        Assert.Equal([0L, 99_999L], (await buffer.ReadUnsentAsync(10, SampleKind.Event)).Select(s => s.TimestampNs));
        Assert.Empty(await buffer.ReadUnsentAsync(10));
    }

    [Fact]
    public async Task Receipted_rows_go_first_then_the_oldest_unreceipted_counted_as_evicted()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        var seqs = await buffer.AppendAsync(Enumerable.Range(0, 4000).Select(t => Telemetry(t)).ToList());
        await buffer.MarkSentAsync(seqs.Take(2000).ToArray(), sentAtNs: 1);          // sent, no receipt yet
        await buffer.MarkSentAsync(seqs.Skip(2000).Take(1000).ToArray(), sentAtNs: 1);
        await buffer.ApplyReceiptAsync([(seqs[2000], seqs[2999])], []);               // 1000 receipted
        var used = await buffer.UsedBytesAsync();

        var eviction = await buffer.EnforceQuotaAsync(used / 2);

        // Whole segments go: the receipted ones first (those at the edges of the receipted run share a segment with unreceipted samples).
        Assert.InRange(eviction!.SentRowsPruned, 1, 1000);
        // Sent but unreceipted rows are not delivered: evicting them is counted loss, oldest first.
        Assert.True(eviction.Count > 0);
        Assert.Equal(seqs[0], eviction.FirstSeq);
        Assert.Equal(eviction.Count, await buffer.EvictedTotalAsync());
        Assert.Equal(1000, (await buffer.CountAsync()).Unsent);
    }

    [Fact]
    public async Task Receipted_rows_are_pruned_before_any_unsent_row_is_evicted()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        var seqs = await buffer.AppendAsync(Enumerable.Range(0, 4000).Select(t => Telemetry(t)).ToList());
        await buffer.MarkSentAsync(seqs.Take(3000).ToArray(), receipted: true);
        var used = await buffer.UsedBytesAsync();

        var eviction = await buffer.EnforceQuotaAsync(used / 2);

        Assert.Equal(0, eviction!.Count);
        Assert.True(eviction.SentRowsPruned > 0);
        Assert.Equal(1000, (await buffer.CountAsync()).Unsent);
    }

    [Fact]
    public async Task A_full_disk_fails_a_commit_whole_and_eviction_makes_room_for_it()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        await buffer.AppendAsync(Enumerable.Range(0, 2000).Select(t => Telemetry(t)).ToList());
        // Cap the buffer where it is, as on a full SD card: the first commit needing a new segment fails.
        await buffer.SetMaxBytesAsync(await buffer.UsedBytesAsync());
        var t0 = 10_000;
        BufferFullException? full = null;
        for (var i = 0; i < 100 && full is null; i++)
        {
            try { await buffer.AppendAsync(Enumerable.Range(0, 500).Select(t => Telemetry(t0 + t)).ToList()); t0 += 500; }
            catch (BufferFullException ex) { full = ex; }
        }
        Assert.NotNull(full);
        var before = await buffer.CountAsync();
        Assert.Equal(t0 - 10_000 + 2000, before.Unsent); // the failed commit left nothing half-written

        await buffer.EnforceQuotaAsync(await buffer.UsedBytesAsync() * 7 / 10);
        await buffer.AppendAsync(Enumerable.Range(0, 500).Select(t => Telemetry(t0 + t)).ToList());
        Assert.Equal(t0 + 499, (await buffer.ReadUnsentAsync(100_000)).Last().TimestampNs);
        Assert.Equal(before.Sampled + 500, (await buffer.CountAsync()).Sampled); // no seq was given out twice
    }
}
