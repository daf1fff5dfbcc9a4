using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Buffer;

public class SampleBufferTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static PendingSample At(long t, double v = 1) =>
        new(t, "centrifuge", "icon-1", [new Reading("bowl_speed", v, Units.Rpm)]);

    [Fact]
    public async Task Unsent_samples_come_back_in_sequence_order_with_their_values()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"));
        var seqs = await buffer.AppendAsync([At(300, 3), At(100, 1), At(200, 2)]);

        var unsent = await buffer.ReadUnsentAsync(10);

        Assert.Equal([1L, 2L, 3L], seqs);
        Assert.Equal(seqs, unsent.Select(s => s.Seq));
        Assert.Equal([300L, 100L, 200L], unsent.Select(s => s.TimestampNs)); // order of sampling, not of timestamp
        Assert.Equal([3.0, 1.0, 2.0], unsent.Select(s => s.Readings[0].Value));
    }

    [Fact]
    public async Task Marked_samples_are_not_read_again_and_the_rest_keep_their_order()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"));
        await buffer.AppendAsync([At(1), At(2), At(3), At(4)]);
        await buffer.MarkSentAsync([1, 2], sentAtNs: 1);

        Assert.Equal([3L, 4L], (await buffer.ReadUnsentAsync(10)).Select(s => s.Seq));
        Assert.Equal(new BufferCounts(4, 2, 2), await buffer.CountAsync());
    }

    [Fact]
    public async Task Reopened_buffer_keeps_its_stream_and_continues_the_sequence()
    {
        string stream;
        await using (var first = await SampleBuffer.OpenAsync(_dir.File("b")))
        {
            stream = first.StreamId;
            await first.AppendAsync([At(1), At(2)]);
            await first.MarkSentAsync([1, 2], receipted: true);
            await first.PruneSentAsync(long.MaxValue);
        }
        await using var second = await SampleBuffer.OpenAsync(_dir.File("b"));

        var seqs = await second.AppendAsync([At(3)]);

        Assert.Equal(stream, second.StreamId);
        Assert.Equal([3L], seqs); // AUTOINCREMENT never reuses a pruned sequence number
    }

    [Fact]
    public async Task A_new_buffer_file_starts_a_new_stream()
    {
        await using var a = await SampleBuffer.OpenAsync(_dir.File("a"));
        await using var b = await SampleBuffer.OpenAsync(_dir.File("b"));
        Assert.NotEqual(a.StreamId, b.StreamId);
        Assert.Matches("^[0-9a-f]{32}$", a.StreamId);
    }

    [Fact]
    public async Task Pruning_deletes_whole_segments_only_when_all_they_hold_is_receipted_and_older_than_the_cutoff()
    {
        await using (var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192))
        {
            // One commit per second, a few per 8 KiB segment.
            for (var i = 0; i < 60; i++) await buffer.AppendAsync(Enumerable.Range(0, 20).Select(k => At(i * 100 + k, Math.Sqrt(i * 20 + k + 2))).ToList());
            var used = await buffer.UsedBytesAsync();
            Assert.True(used >= 2 * 8192, $"the test needs several segments, got {used} B");
            await buffer.MarkSentAsync(Enumerable.Range(1, 1000).Select(x => (long)x).ToArray(), sentAtNs: 1);
            await buffer.ApplyReceiptAsync([(1, 900)], []);

            Assert.Equal(0, await buffer.PruneSentAsync(0)); // nothing is older than the cut-off
            var pruned = await buffer.PruneSentAsync(long.MaxValue);

            Assert.InRange(pruned, 1, 900); // only segments all receipted
            Assert.True(await buffer.UsedBytesAsync() < used);
            Assert.Equal(new BufferCounts(1200, 200, 1200 - 200 - pruned, 900 - pruned), await buffer.CountAsync());
            Assert.Equal(1001L, (await buffer.ReadUnsentAsync(1)).Single().Seq);
        }
        // Pruned samples stay gone and seqs go on after a restart.
        await using var reopened = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        var next = await reopened.AppendAsync([At(999_999)]);
        Assert.Equal([1201L], next);
        Assert.DoesNotContain((await reopened.ReadAfterAsync(0, 10_000)), s => s.Seq == 1);
    }

    [Fact]
    public async Task A_sent_row_stays_until_a_receipt_covers_it_and_only_receipted_rows_are_pruned()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"));
        await buffer.AppendAsync([At(10), At(20), At(30), At(40)]);
        await buffer.MarkSentAsync([1, 2, 3, 4], sentAtNs: 1_000);

        Assert.Equal(0, await buffer.PruneSentAsync(long.MaxValue));
        var effect = await buffer.ApplyReceiptAsync(stored: [(1, 2)], rejected: [(4, 4)]);

        Assert.Equal((3L, 1L, 0L, (long?)1_000), (effect.Receipted, effect.Rejected, effect.AlreadyReceipted, effect.NewestSentAtNs));
        Assert.Equal([1_000L], effect.SentAtNs);
        Assert.Equal(new BufferCounts(4, 0, 4, 3), await buffer.CountAsync());
        Assert.Equal((0L, 1L), await buffer.ReceiptCountersAsync());
        // A second copy of the receipt changes nothing.
        Assert.Equal(3, (await buffer.ApplyReceiptAsync([(1, 2)], [(4, 4)])).AlreadyReceipted);
        Assert.Equal(0, await buffer.PruneSentAsync(long.MaxValue)); // seq 3 shares their record: nothing goes
    }

    [Fact]
    public async Task Rows_a_later_receipt_shows_missing_and_rows_whose_receipt_is_overdue_are_sent_again_with_backoff()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"));
        await buffer.AppendAsync([At(10), At(20), At(30)]);
        await buffer.MarkSentAsync([1], sentAtNs: 100);
        await buffer.MarkSentAsync([2], sentAtNs: 200);
        await buffer.MarkSentAsync([3], sentAtNs: 300);

        // Row 3's receipt came, rows 1 and 2 were sent before it: only those sent before 250 go again.
        await buffer.ApplyReceiptAsync([(3, 3)], []);
        Assert.Equal(0, await buffer.ResendAsync(nowNs: 400, sentBeforeNs: 150, timeoutNs: 1_000)); // both must hold: not overdue yet
        Assert.Equal(1, await buffer.ResendAsync(nowNs: 400, sentBeforeNs: 150));
        Assert.Equal(1, (await buffer.ReadUnsentAsync(10)).Single().Seq);

        // Row 1 is published a second time at 1 000: its timeout doubles (2 × 100), row 2's does not.
        await buffer.MarkSentAsync([1], sentAtNs: 1_000);
        Assert.Equal(1, await buffer.ResendAsync(nowNs: 1_150, timeoutNs: 100)); // row 2: 200 + 100 < 1 150
        Assert.Equal(0, await buffer.ResendAsync(nowNs: 1_150, timeoutNs: 100)); // row 1: 1 000 + 200 ≥ 1 150
        Assert.Equal(1, await buffer.ResendAsync(nowNs: 1_201, timeoutNs: 100));
        Assert.Equal([1L, 2L], (await buffer.ReadUnsentAsync(10)).Select(s => s.Seq));
        // Counted when published again: row 1 once so far.
        Assert.Equal((1L, 0L), await buffer.ReceiptCountersAsync());
        await buffer.MarkSentAsync([1, 2], sentAtNs: 2_000);
        Assert.Equal((3L, 0L), await buffer.ReceiptCountersAsync());
    }

    [Fact]
    public async Task A_late_receipt_for_a_row_queued_to_be_sent_again_settles_it()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"));
        await buffer.AppendAsync([At(10)]);
        await buffer.MarkSentAsync([1], sentAtNs: 100);
        await buffer.ResendAsync(nowNs: 10_000, timeoutNs: 1);

        await buffer.ApplyReceiptAsync([(1, 1)], []);
        await buffer.MarkSentAsync([1], sentAtNs: 20_000); // a publication racing the receipt keeps it receipted

        Assert.Empty(await buffer.ReadUnsentAsync(10));
        Assert.Equal(new BufferCounts(1, 0, 1, 1), await buffer.CountAsync());
    }

    [Fact]
    public async Task A_buffer_written_before_receipts_keeps_its_acknowledged_rows_as_delivered()
    {
        var path = _dir.File("v1.db");
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            // The version-1 layout: no sent_at, no attempts, user_version 0.
            cmd.CommandText = """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE samples(seq INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, m TEXT NOT NULL, eq TEXT NOT NULL,
                    r TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0, clk INTEGER NOT NULL DEFAULT 0, boot TEXT, mono INTEGER);
                INSERT INTO meta VALUES('stream_id', 'abc'), ('evicted', '0');
                INSERT INTO samples(t, m, eq, r, sent) VALUES(1, 'centrifuge', 'cf-1', '[]', 1), (2, 'centrifuge', 'cf-1', '[]', 0);
                """;
            await cmd.ExecuteNonQueryAsync();
        }

        await using var buffer = await SampleBuffer.OpenAsync(path);

        // The acknowledged row was delivered under that version's contract; the other one goes.
        Assert.Equal(new BufferCounts(2, 1, 0, 0), await buffer.CountAsync());
        Assert.Equal([2L], (await buffer.ReadUnsentAsync(10)).Select(s => s.Seq));
        Assert.Equal("abc", buffer.StreamId);
    }
}
