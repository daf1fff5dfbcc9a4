using System.Threading.Channels;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Agent.Tests.Buffer;

public class BufferWriterServiceTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    // Values without a short decimal form (raw doubles in the record), so the test data spans several small segments.
    private static PendingSample At(long t) => new(t, "centrifuge", "cf-1", [new Reading("bowl_speed", 400 + Math.Sqrt(t), Units.Rpm)]);

    private static async Task Until(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition()) await Task.Delay(20, timeout.Token);
    }

    [Fact]
    public async Task Read_only_media_keeps_samples_in_memory_reports_the_error_and_commits_them_when_writable_again()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        var queue = Channel.CreateUnbounded<PendingSample>();
        var stats = new BufferStats();
        var service = new BufferWriterService(queue.Reader, buffer, new BufferSignal(), stats,
            Options.Create(new AgentOptions { Buffer = new BufferOptions { CommitIntervalMs = 10 } }), TimeProvider.System, NullLogger<BufferWriterService>.Instance);
        await service.StartAsync(default);

        await buffer.SetReadOnlyAsync(true);
        for (var i = 1; i <= 50; i++) await queue.Writer.WriteAsync(At(i));
        await Until(() => Task.FromResult(stats.CommitFailures >= 2));
        Assert.Contains("read-only", stats.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await buffer.CountAsync()).Sampled);

        await buffer.SetReadOnlyAsync(false);
        await Until(async () => (await buffer.CountAsync()).Unsent == 50);
        Assert.Null(stats.LastError);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), (await buffer.ReadUnsentAsync(100)).Select(s => s.TimestampNs));
        await service.StopAsync(default);
    }

    [Fact]
    public async Task A_full_disk_evicts_the_oldest_unsent_telemetry_to_keep_the_newest_and_says_so()
    {
        await using var buffer = await SampleBuffer.OpenAsync(_dir.File("b"), segmentBytes: 8192);
        await buffer.AppendAsync(Enumerable.Range(1, 3000).Select(i => At(i)).ToList());
        await buffer.SetMaxBytesAsync(await buffer.UsedBytesAsync());
        var queue = Channel.CreateUnbounded<PendingSample>();
        var stats = new BufferStats();
        var service = new BufferWriterService(queue.Reader, buffer, new BufferSignal(), stats,
            Options.Create(new AgentOptions { Buffer = new BufferOptions { CommitIntervalMs = 10 } }), TimeProvider.System, NullLogger<BufferWriterService>.Instance);
        await service.StartAsync(default);

        for (var i = 0; i < 1000; i++) await queue.Writer.WriteAsync(At(100_000 + i)); // more than a segment holds
        await Until(async () => (await buffer.ReadUnsentAsync(10_000)).Any(s => s.TimestampNs == 100_999));

        Assert.True(stats.CommitFailures >= 1);
        Assert.True(stats.Evicted > 0);
        Assert.Equal(stats.Evicted, await buffer.EvictedTotalAsync());
        var unsent = await buffer.ReadUnsentAsync(10_000);
        Assert.Equal(1000, unsent.Count(s => s.TimestampNs >= 100_000));           // every new sample kept
        Assert.Equal(3000 - stats.Evicted, unsent.Count(s => s.TimestampNs < 100_000)); // the oldest went, counted
        Assert.Single(await buffer.ReadUnsentAsync(10, SampleKind.Event));        // and the eviction is reported
        await service.StopAsync(default);
    }
}
