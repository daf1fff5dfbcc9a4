using EdgeTelemetry.Agent.Buffer;

namespace EdgeTelemetry.Demo;

/// <summary>Sums the agents' buffer files, read from outside while the agents run.</summary>
public static class BufferStatus
{
    /// <summary>Sent = published (PUBACK); Receipted = confirmed stored by the central service's receipt.</summary>
    public sealed record Totals(long Sampled, long Unsent, long Sent, long Receipted);

    public static async Task<Totals> SumAsync(IEnumerable<string> paths)
    {
        long sampled = 0, unreceipted = 0;
        foreach (var path in paths)
        {
            var (maxSeq, notReceipted, _) = await SampleBuffer.PeekAsync(path);
            sampled += maxSeq;
            unreceipted += notReceipted;
        }
        // Seen from outside, a sample counts as sent once its receipt is persisted (which samples await one lives in
        // the agent's memory); receipted ones are pruned after an hour, so both are what was sampled minus what waits.
        return new Totals(sampled, unreceipted, sampled - unreceipted, sampled - unreceipted);
    }
}
