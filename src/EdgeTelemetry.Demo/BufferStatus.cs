using EdgeTelemetry.Agent.Buffer;

namespace EdgeTelemetry.Demo;

/// <summary>Sums the agents' buffer files, read from outside while the agents run.</summary>
public static class BufferStatus
{
    public sealed record Totals(long Sampled, long Unsent, long Sent);

    public static async Task<Totals> SumAsync(IEnumerable<string> paths)
    {
        long sampled = 0, unsent = 0;
        foreach (var path in paths)
        {
            var (maxSeq, waiting) = await SampleBuffer.PeekAsync(path);
            sampled += maxSeq;
            unsent += waiting;
        }
        // Sent rows are pruned after an hour, so "sent" is what was sampled minus what still waits.
        return new Totals(sampled, unsent, sampled - unsent);
    }
}
