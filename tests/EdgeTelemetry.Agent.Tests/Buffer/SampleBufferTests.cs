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
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
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
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        await buffer.AppendAsync([At(1), At(2), At(3), At(4)]);
        await buffer.MarkSentAsync([1, 2]);

        Assert.Equal([3L, 4L], (await buffer.ReadUnsentAsync(10)).Select(s => s.Seq));
        Assert.Equal(new BufferCounts(4, 2, 2), await buffer.CountAsync());
    }

    [Fact]
    public async Task Reopened_buffer_keeps_its_stream_and_continues_the_sequence()
    {
        string stream;
        await using (var first = await SampleBuffer.OpenAsync(_dir.File("b.db")))
        {
            stream = first.StreamId;
            await first.AppendAsync([At(1), At(2)]);
            await first.MarkSentAsync([1, 2]);
            await first.PruneSentAsync(long.MaxValue);
        }
        await using var second = await SampleBuffer.OpenAsync(_dir.File("b.db"));

        var seqs = await second.AppendAsync([At(3)]);

        Assert.Equal(stream, second.StreamId);
        Assert.Equal([3L], seqs); // AUTOINCREMENT never reuses a pruned sequence number
    }

    [Fact]
    public async Task A_new_buffer_file_starts_a_new_stream()
    {
        await using var a = await SampleBuffer.OpenAsync(_dir.File("a.db"));
        await using var b = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        Assert.NotEqual(a.StreamId, b.StreamId);
        Assert.Matches("^[0-9a-f]{32}$", a.StreamId);
    }

    [Fact]
    public async Task Pruning_removes_only_sent_rows_older_than_the_cutoff()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b.db"));
        await buffer.AppendAsync([At(10), At(20), At(30)]);
        await buffer.MarkSentAsync([1, 3]);

        var pruned = await buffer.PruneSentAsync(25);

        Assert.Equal(1, pruned);
        Assert.Equal(new BufferCounts(3, 1, 1), await buffer.CountAsync());
    }
}
