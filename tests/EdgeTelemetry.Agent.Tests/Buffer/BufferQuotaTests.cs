using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Tests.Buffer;

public class BufferQuotaTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static PendingSample Telemetry(long t) => new(t, "centrifuge", "cf-1", [new Reading("bowl_speed", 400 + t % 7, Units.Rpm), new Reading("fluidisation_pressure", 110, Units.KiloPascal)]);
    private static PendingSample Alarm(long t) => new(t, "alarm", "cf-1", [new Reading("fluidisation_lost", 1, Units.None)], SampleKind.Event);

    [Fact]
    public async Task Over_quota_the_oldest_unsent_telemetry_goes_first_and_events_stay()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
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
    public async Task Receipted_rows_go_first_then_the_oldest_unreceipted_counted_as_evicted()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        var seqs = await buffer.AppendAsync(Enumerable.Range(0, 4000).Select(t => Telemetry(t)).ToList());
        await buffer.MarkSentAsync(seqs.Take(2000).ToArray(), sentAtNs: 1);          // sent, no receipt yet
        await buffer.MarkSentAsync(seqs.Skip(2000).Take(1000).ToArray(), sentAtNs: 1);
        await buffer.ApplyReceiptAsync([(seqs[2000], seqs[2999])], []);               // 1000 receipted
        var used = await buffer.UsedBytesAsync();

        var eviction = await buffer.EnforceQuotaAsync(used / 2);

        Assert.Equal(1000, eviction!.SentRowsPruned);
        // Sent but unreceipted rows are not delivered: evicting them is counted loss, oldest first.
        Assert.True(eviction.Count > 0);
        Assert.Equal(seqs[0], eviction.FirstSeq);
        Assert.Equal(eviction.Count, await buffer.EvictedTotalAsync());
        Assert.Equal(1000, (await buffer.CountAsync()).Unsent);
    }

    [Fact]
    public async Task Receipted_rows_are_pruned_before_any_unsent_row_is_evicted()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        var seqs = await buffer.AppendAsync(Enumerable.Range(0, 4000).Select(t => Telemetry(t)).ToList());
        await buffer.MarkSentAsync(seqs.Take(3000).ToArray(), receipted: true);
        var used = await buffer.UsedBytesAsync();

        var eviction = await buffer.EnforceQuotaAsync(used / 2);

        Assert.Equal(0, eviction!.Count);
        Assert.True(eviction.SentRowsPruned > 0);
        Assert.Equal(1000, (await buffer.CountAsync()).Unsent);
    }

    [Fact]
    public async Task A_full_disk_is_an_error_that_eviction_makes_room_for()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        await buffer.AppendAsync(Enumerable.Range(0, 2000).Select(t => Telemetry(t)).ToList());
        // Cap the file where it is: SQLite now answers "database or disk is full", as on a full SD card.
        await buffer.SetMaxPageCountAsync((await buffer.UsedBytesAsync()) / 4096);

        var full = await Assert.ThrowsAsync<SqliteException>(() => buffer.AppendAsync(Enumerable.Range(0, 500).Select(t => Telemetry(10_000 + t)).ToList()));
        Assert.Equal(13, full.SqliteErrorCode);
        Assert.Equal(2000, (await buffer.CountAsync()).Unsent); // the failed transaction left the rest intact

        await buffer.EnforceQuotaAsync(await buffer.UsedBytesAsync() * 7 / 10);
        await buffer.AppendAsync(Enumerable.Range(0, 500).Select(t => Telemetry(10_000 + t)).ToList());
        Assert.Equal(10_499, (await buffer.ReadUnsentAsync(100_000)).Last().TimestampNs);
    }
}
