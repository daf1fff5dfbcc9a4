namespace EdgeTelemetry.Central.Ingest;

public enum RestoreState { Pending, Running, Done, Partial, Failed }

/// <summary>What /healthz reports about the pipeline itself, not just the broker connection.</summary>
public sealed class IngestHealth(TimeProvider clock)
{
    private long _lastWriteTicks, _oldestWaitingTicks;

    public RestoreState Restore { get; set; } = RestoreState.Pending;
    public bool PipelineRunning { get; set; }
    public string? PipelineError { get; set; }
    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();

    public DateTimeOffset? LastWriteAt => Interlocked.Read(ref _lastWriteTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>When the message at the head of the pipeline arrived (null while nothing waits).</summary>
    public DateTimeOffset? WaitingSince => Interlocked.Read(ref _oldestWaitingTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public void Written() => Interlocked.Exchange(ref _lastWriteTicks, clock.GetUtcNow().UtcTicks);

    public void Waiting(DateTimeOffset? since) => Interlocked.Exchange(ref _oldestWaitingTicks, since?.UtcTicks ?? 0);

    /// <summary>Stuck: the pipeline stopped, or messages have waited longer than the limit without a write.</summary>
    public bool IsStuck(TimeSpan limit)
    {
        if (PipelineError is not null) return true;
        if (WaitingSince is not { } since) return false;
        var now = clock.GetUtcNow();
        var lastProgress = LastWriteAt is { } w && w > since ? w : since;
        return now - lastProgress > limit;
    }
}
