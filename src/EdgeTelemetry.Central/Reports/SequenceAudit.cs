namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// Counts samples missing by sequence number for one device. Every sample a device takes, of any
/// measurement, gets the next seq of its stream; in time order, a jump of k means k − 1 samples
/// never reached the database. A step back means a new stream (buffer recreated) or re-dated
/// points; it is counted, since what was lost at the end of the old stream cannot be seen.
/// </summary>
public sealed class SequenceAudit
{
    private readonly List<(long TimeNs, long Seq)> _samples = [];

    public void Add(long timeNs, long seq) => _samples.Add((timeNs, seq));

    public (long Samples, long Missing, long Restarts) Result()
    {
        _samples.Sort();
        long missing = 0, restarts = 0;
        for (var i = 1; i < _samples.Count; i++)
        {
            var (previous, seq) = (_samples[i - 1].Seq, _samples[i].Seq);
            if (seq > previous + 1) missing += seq - previous - 1;
            else if (seq <= previous) restarts++;
        }
        return (_samples.Count, missing, restarts);
    }
}
