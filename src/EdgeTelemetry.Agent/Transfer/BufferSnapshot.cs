using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;

namespace EdgeTelemetry.Agent.Transfer;

/// <summary>Which buffered samples an export takes.</summary>
public enum ExportMode { Unsent, All, Range }

/// <summary>Rows not yet receipted (default), every retained row, or every retained row with fromNs ≤ t &lt; toNs.</summary>
public sealed record ExportSelection(ExportMode Mode, long FromNs = long.MinValue, long ToNs = long.MaxValue)
{
    public static readonly ExportSelection Unsent = new(ExportMode.Unsent);
    public static readonly ExportSelection All = new(ExportMode.All);
    public static ExportSelection Range(DateTimeOffset? from, DateTimeOffset? to) =>
        new(ExportMode.Range, from is { } f ? Time.ToUnixNanoseconds(f) : long.MinValue, to is { } t ? Time.ToUnixNanoseconds(t) : long.MaxValue);
}

/// <summary>What a selection holds, counted in the same snapshot the rows are read from.</summary>
public sealed record SnapshotSummary(string StreamId, long Samples, long FirstSeq, long LastSeq, long Events, string Seqs, long WaitingForClock);

/// <summary>
/// Reads the agent's buffer beside the running agent: a read-only view (it never creates or writes anything, so a
/// wrong path is an error, not a new empty buffer with a new stream id) of the records on disk when it is opened,
/// with the receipt progress the agent last persisted (a sample receipted since may come along: a duplicate the
/// central service drops).
/// </summary>
public sealed class BufferSnapshot : IAsyncDisposable
{
    private readonly SampleBuffer _buffer;
    private readonly ExportSelection _selection;

    private BufferSnapshot(SampleBuffer buffer, ExportSelection selection)
    {
        _buffer = buffer;
        _selection = selection;
    }

    public static Task<BufferSnapshot> OpenAsync(string path, ExportSelection selection, CancellationToken ct = default) =>
        Task.FromResult(new BufferSnapshot(SampleBuffer.OpenReadOnly(path), selection));

    public Task<SnapshotSummary> SummarizeAsync(CancellationToken ct = default)
    {
        long samples = 0, first = 0, last = 0, events = 0, waiting = 0;
        var seqs = new List<long>();
        foreach (var (sample, kind, receipted, clockWaiting) in _buffer.ReadRetained())
        {
            if (!Selected(sample, receipted)) continue;
            if (clockWaiting) { waiting++; continue; }
            samples++;
            if (first == 0) first = sample.Seq;
            last = sample.Seq;
            if (kind == SampleKind.Event) events++;
            seqs.Add(sample.Seq);
        }
        return Task.FromResult(new SnapshotSummary(_buffer.StreamId, samples, first, last, events, SeqRanges.Format(seqs), waiting));
    }

    /// <summary>The selected samples in sequence order, as the publisher would send them (never those still waiting for their clock).</summary>
    public async IAsyncEnumerable<(Sample Sample, SampleKind Kind)> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var (sample, kind, receipted, clockWaiting) in _buffer.ReadRetained())
        {
            ct.ThrowIfCancellationRequested();
            if (!clockWaiting && Selected(sample, receipted)) yield return (sample, kind);
        }
        await Task.CompletedTask;
    }

    /// <summary>Not yet receipted (a sample the broker acknowledged may still be lost before it is stored), every retained one, or a time range.</summary>
    private bool Selected(Sample s, bool receipted) => _selection.Mode switch
    {
        ExportMode.Unsent => !receipted,
        ExportMode.Range => s.TimestampNs >= _selection.FromNs && s.TimestampNs < _selection.ToNs,
        _ => true,
    };

    public ValueTask DisposeAsync()
    {
        _buffer.Close();
        return ValueTask.CompletedTask;
    }
}
