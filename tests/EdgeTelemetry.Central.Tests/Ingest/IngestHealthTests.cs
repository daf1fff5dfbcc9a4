using System.Threading.Channels;
using EdgeTelemetry.Central.Ingest;
using Microsoft.Extensions.Time.Testing;

namespace EdgeTelemetry.Central.Tests.Ingest;

public class IngestHealthTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public void Ingest_is_stuck_when_messages_wait_past_the_limit_without_a_write_and_recovers_on_the_next_write()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var health = new IngestHealth(clock);
        Assert.False(health.IsStuck(Limit)); // nothing waiting: idle, not stuck

        health.Waiting(clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.False(health.IsStuck(Limit));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(health.IsStuck(Limit));

        health.Written();
        health.Waiting(null);
        Assert.False(health.IsStuck(Limit));
    }

    [Fact]
    public void A_failed_pipeline_is_stuck_whatever_else_it_reports()
    {
        var health = new IngestHealth(TimeProvider.System) { PipelineError = "disk on fire" };
        Assert.True(health.IsStuck(Limit));
    }
}

public class InFlightBudgetTests
{
    [Fact]
    public async Task A_message_that_would_exceed_the_byte_budget_waits_until_an_earlier_one_is_released()
    {
        var budget = new InFlightBudget(maxBytes: 1000);
        await budget.AcquireAsync(600, default);
        var second = budget.AcquireAsync(600, default).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal((600L, 1), (budget.Bytes, budget.Messages));

        budget.Release(600);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((600L, 1), (budget.Bytes, budget.Messages));
    }

    [Fact]
    public async Task One_message_larger_than_the_whole_budget_still_passes_when_nothing_else_is_held()
    {
        var budget = new InFlightBudget(maxBytes: 1000);
        await budget.AcquireAsync(5000, default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5000, budget.Bytes);
    }

    [Fact]
    public async Task A_message_that_cannot_be_handed_on_gives_its_bytes_back()
    {
        var budget = new InFlightBudget(1000);
        await budget.AdmitAsync(300, _ => ValueTask.CompletedTask, CancellationToken.None);
        Assert.Equal((300L, 1), (budget.Bytes, budget.Messages));

        // Out of memory copying the payload, or the inbox refusing while the service stops: nothing holds
        // the message, so nothing may hold its bytes.
        await Assert.ThrowsAsync<OutOfMemoryException>(() => budget.AdmitAsync(500, _ => throw new OutOfMemoryException(), CancellationToken.None));
        var full = Channel.CreateBounded<int>(1);
        full.Writer.TryWrite(0);
        using var stopping = new CancellationTokenSource();
        var handOn = budget.AdmitAsync(500, ct => full.Writer.WriteAsync(1, ct), stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handOn);

        Assert.Equal((300L, 1), (budget.Bytes, budget.Messages));
        budget.Release(300);
        Assert.Equal((0L, 0), (budget.Bytes, budget.Messages));
    }
}
