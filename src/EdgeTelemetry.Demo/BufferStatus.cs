using EdgeTelemetry.Agent.Buffer;

namespace EdgeTelemetry.Demo;

/// <summary>Sums the agents' buffer files, read from outside while the agents run.</summary>
public static class BufferStatus
{
    /// <summary>Sent = published (PUBACK); Receipted = confirmed stored by the central service's receipt.</summary>
    public sealed record Totals(long Sampled, long Unsent, long Sent, long Receipted);

    public static async Task<Totals> SumAsync(IEnumerable<string> paths)
    {
        long sampled = 0, unsent = 0, unreceipted = 0;
        foreach (var path in paths)
        {
            var (maxSeq, waiting, notReceipted) = await SampleBuffer.PeekAsync(path);
            sampled += maxSeq;
            unsent += waiting;
            unreceipted += notReceipted;
        }
        // Receipted rows are pruned after an hour, so both are counted as what was sampled minus what still waits.
        return new Totals(sampled, unsent, sampled - unsent, sampled - unreceipted);
    }
}
