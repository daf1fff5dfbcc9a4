using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Buffer;

/// <summary>The buffer's on-disk layout: an append-only record log with receipt progress persisted at a bounded rate.</summary>
public class BufferLogTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static PendingSample At(long t, double v) =>
        new(t, "centrifuge", "icon-1", [new Reading("bowl_speed", v, Units.Rpm), new Reading("feed_rate", v / 3, Units.KiloPascal)]);

    [Fact]
    public async Task A_committed_sample_comes_back_bit_for_bit_after_a_crash_and_a_torn_last_record_is_dropped()
    {
        var path = _dir.File("b");
        double[] values = [0.1, -0.0, 1e-300, double.NaN, 123456.789, double.PositiveInfinity, 2.5];
        // No dispose: the process dies with the files open, as under kill -9.
        var first = await SampleBuffer.OpenAsync(path);
        await first.AppendAsync(values.Select((v, i) => At(1_700_000_000_000_000_000 + i * 1_000_000_000L, v)).ToList());
        await first.AppendAsync([At(1_800_000_000_000_000_000, 9)]);
        // The last commit's frame torn mid-write (its final bytes never reached the card).
        var segment = Directory.GetFiles(path, "*.seg").Max()!;
        var bytes = await File.ReadAllBytesAsync(segment);
        var end = Array.FindLastIndex(bytes, b => b != 0);
        bytes[end] ^= 0xff;
        await File.WriteAllBytesAsync(segment, bytes);

        await using var reopened = await SampleBuffer.OpenAsync(path);
        var back = await reopened.ReadUnsentAsync(100);

        Assert.Equal(Enumerable.Range(1, values.Length).Select(i => (long)i), back.Select(s => s.Seq));
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), back.Select(s => BitConverter.DoubleToInt64Bits(s.Readings[0].Value)));
        Assert.Equal(values.Select(v => BitConverter.DoubleToInt64Bits(v / 3)), back.Select(s => BitConverter.DoubleToInt64Bits(s.Readings[1].Value)));
        Assert.Equal(Units.KiloPascal, back[0].Readings[1].Unit);
        // The torn commit was never acknowledged to the writer: its seq is given out again, to the next commit.
        var again = await reopened.AppendAsync([At(1_800_000_000_000_000_001, 10)]);
        Assert.Equal([8L], again);
    }

    [Fact]
    public async Task Receipt_progress_persisted_at_a_bounded_rate_costs_a_resend_after_a_crash_never_a_sample()
    {
        var path = _dir.File("b");
        var crashed = await SampleBuffer.OpenAsync(path, progressInterval: TimeSpan.FromHours(1));
        await crashed.AppendAsync(Enumerable.Range(0, 10).Select(i => At(i, i)).ToList());
        await crashed.MarkSentAsync(Enumerable.Range(1, 10).Select(i => (long)i).ToArray(), sentAtNs: 1);
        await crashed.ApplyReceiptAsync([(1, 5)], []);
        Assert.Equal(5, (await crashed.CountAsync()).Receipted);

        // Crash before the progress interval: the receipt was not written, so all ten go again (duplicates, not loss).
        await using (var afterCrash = await SampleBuffer.OpenAsync(path, progressInterval: TimeSpan.Zero))
        {
            Assert.Equal(10, (await afterCrash.ReadUnsentAsync(100)).Count);
            await afterCrash.MarkSentAsync(Enumerable.Range(1, 10).Select(i => (long)i).ToArray(), sentAtNs: 2);
            await afterCrash.ApplyReceiptAsync([(1, 5)], []); // due at once (interval zero): persisted now
        }
        Assert.Equal(new BufferPeek(10, 5, 6), await SampleBuffer.PeekAsync(path));
        await using var later = await SampleBuffer.OpenAsync(path);
        Assert.Equal([6L, 7L, 8L, 9L, 10L], (await later.ReadUnsentAsync(100)).Select(s => s.Seq));
    }

    [Fact]
    public async Task A_reader_beside_the_agent_copes_with_a_segment_the_agent_is_still_zeroing()
    {
        var path = _dir.File("b");
        await using var buffer = await SampleBuffer.OpenAsync(path);
        await buffer.AppendAsync([At(1, 1), At(2, 2)]);
        // The agent has just created its next segment file and not written it yet.
        await File.WriteAllBytesAsync(Path.Combine(path, "0000000099.seg"), []);

        Assert.Equal(new BufferPeek(2, 2, 1), await SampleBuffer.PeekAsync(path));
        Assert.Equal("ok", SampleBuffer.Verify(path));
    }

    [Fact]
    public async Task A_commit_writes_one_record_in_the_wire_encoding_not_a_row_per_sample()
    {
        var path = _dir.File("b");
        await using var buffer = await SampleBuffer.OpenAsync(path);
        // The perf station's second: 7 samples, 36 readings.
        var second = Enumerable.Range(0, 7).Select(i => new PendingSample(1_700_000_000_000_000_000 + i, "centrifuge", $"cf-{i}",
            Enumerable.Range(0, i < 1 ? 6 : 5).Select(c => new Reading($"ch{c}", 100 + c + i * 0.5, Units.Rpm)).ToList())).ToList();
        await buffer.AppendAsync(second);
        var afterFirst = NonZeroBytes(path);
        await buffer.AppendAsync(second.Select(s => s with { TimestampNs = s.TimestampNs + 1_000_000_000 }).ToList());
        var perCommit = NonZeroBytes(path) - afterFirst;

        // The second commit (dictionary already written) is one small record: well under 10 bytes a reading.
        Assert.InRange(perCommit, 1, 36 * 10);
    }

    private static long NonZeroBytes(string dir) =>
        Directory.GetFiles(dir, "*.seg").Sum(f => (long)Array.FindLastIndex(File.ReadAllBytes(f), b => b != 0) + 1);

    [Fact]
    public async Task An_agent_upgraded_over_a_sqlite_buffer_sends_what_it_held_under_the_same_stream_and_seqs()
    {
        var path = _dir.File("buffer.db");
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await db.OpenAsync();
            await using var cmd = db.CreateCommand();
            // The SQLite layout of schema 2: receipted rows (sent = 2) are stored centrally, the rest must go.
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE samples(seq INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, m TEXT NOT NULL, eq TEXT NOT NULL,
                    r TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0, kind INTEGER NOT NULL DEFAULT 0, clk INTEGER NOT NULL DEFAULT 0, boot TEXT, mono INTEGER,
                    sent_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0);
                INSERT INTO meta VALUES('stream_id', '0123456789abcdef0123456789abcdef'), ('evicted', '7'), ('resent', '3'), ('receipt_rejected', '1'), ('wire_v2_dictionary', 'AAA=');
                INSERT INTO samples(t, m, eq, r, sent) VALUES
                    (10, 'centrifuge', 'cf-1', '[{"N":"bowl_speed","V":401.5,"U":"rpm"}]', 2),
                    (20, 'centrifuge', 'cf-1', '[{"N":"bowl_speed","V":402.25,"U":"rpm"}]', 1),
                    (30, 'centrifuge', 'cf-1', '[{"N":"bowl_speed","V":403,"U":"rpm"}]', 0);
                INSERT INTO samples(t, m, eq, r, sent, kind) VALUES(40, 'alarm', 'cf-1', '[{"N":"fluidisation_lost","V":1,"U":""}]', 0, 1);
                INSERT INTO samples(t, m, eq, r, sent, clk, boot, mono) VALUES(50, 'centrifuge', 'cf-1', '[{"N":"bowl_speed","V":404,"U":"rpm"}]', 0, 1, 'boot-a', 5000);
                PRAGMA user_version = 2;
                """;
            await cmd.ExecuteNonQueryAsync();
        }

        await using (var buffer = await SampleBuffer.OpenAsync(path))
        {
            Assert.Equal("0123456789abcdef0123456789abcdef", buffer.StreamId);
            var telemetry = await buffer.ReadUnsentAsync(10);
            Assert.Equal([2L, 3L], telemetry.Select(s => s.Seq));
            Assert.Equal([402.25, 403.0], telemetry.Select(s => s.Readings[0].Value));
            Assert.Equal([4L], (await buffer.ReadUnsentAsync(10, SampleKind.Event)).Select(s => s.Seq));
            Assert.Equal(1, await buffer.UntrustedCountAsync()); // still waiting for its clock
            Assert.Equal(7, await buffer.EvictedTotalAsync());
            Assert.Equal((3L, 1L), await buffer.ReceiptCountersAsync());
            Assert.Equal("AAA=", await buffer.GetMetaAsync("wire_v2_dictionary"));
            var next = await buffer.AppendAsync([At(60, 1)]);
            Assert.Equal([6L], next);
            Assert.Equal((1, 0), await buffer.CorrectClockAsync("boot-a", 1_000));
            Assert.Equal(6_000, (await buffer.ReadUnsentAsync(10)).Single(s => s.Seq == 5).TimestampNs);
        }
        Assert.True(Directory.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.sqlite-migrating*"));
    }
}
