using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>What the replay check needs from whoever stores the messages: to wait until every message of the device
/// (site, device) prepared before is written (so the check sees it in InfluxDB), and the caller's retry for an
/// unavailable InfluxDB. Only the device's own: another device's points cannot be what a batch conflicts with.</summary>
public sealed record ReplayCheckAccess(
    Func<string, string, CancellationToken, Task> EarlierWritesAsync,
    Func<Func<CancellationToken, Task>, CancellationToken, Task> Retry);

/// <summary>An offered sample that would change what is stored, with the stored points it differs from
/// (none: its seq of this stream was stored already, at another time or series).</summary>
public sealed record SampleConflict(Sample Offered, IReadOnlyList<StoredPoint> Stored);

/// <summary>
/// Stored evidence is never rewritten by a replay (issue 14): a batch that repeats stored content is a duplicate;
/// one that would change stored values — for an arrived (stream, seq), or for an existing point (measurement, tags,
/// time) from any stream — is a conflict. Cheap for fresh batches: only a batch that repeats arrived seqs of its
/// stream, or reaches back to or before the device's latest stored sample time, is compared with InfluxDB.
/// What "arrived" and "latest" mean comes from this instance's writes and from every instance's delivery records
/// (DeliverySync), seeded from InfluxDB the first time a device is seen.
/// </summary>
public sealed class ReplayGuard(StoredSamples stored, DeliveryTracker delivery, IEnumerable<string> additionalMeasurements)
{
    /// <summary>Sample times further apart than this are read in separate spans (a bundle may span weeks).</summary>
    private static readonly long SpanGapNs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds * 1_000_000;

    private readonly string[] _deviceMeasurements = Measurements.DeviceWritable.Concat(additionalMeasurements)
        .Where(m => !Measurements.ServiceOwned.Contains(m)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The first time a device is seen (no delivery record of it, no write yet): its latest stored sample time from InfluxDB.</summary>
    public async Task KnowDeviceAsync(string site, string device, ReplayCheckAccess access, CancellationToken ct)
    {
        if (delivery.LatestStoredNs(site, device) is not null) return;
        long? latest = null;
        await access.Retry(async t => latest = await stored.LatestAsync(site, device, _deviceMeasurements, t), ct);
        delivery.RaiseLatestStored(site, device, latest ?? long.MinValue);
    }

    /// <summary>
    /// True when the batch cannot touch a stored point: none of its seqs arrived before, and all its samples are later
    /// than anything stored for the device or fit between the runs of their stream stored here (<see cref="StreamSpans"/>:
    /// out-of-order arrival, a backlog draining beside live data). False also when the device is not known yet.
    /// </summary>
    public bool IsFresh(string site, string device, string stream, IReadOnlyList<(long From, long To)> seqs, long earliestNs, long latestNs) =>
        seqs.Count > 0 && !delivery.AnyArrived(site, device, stream, seqs)
        && (delivery.LatestStoredNs(site, device) is { } latest && earliestNs > latest
            || _spans.FitsBetween(site, device, stream, seqs[0].From, seqs[^1].To, earliestNs, latestNs));

    /// <summary>Seqs of a stream this instance is storing, with their sample-time bounds (for <see cref="IsFresh"/>).</summary>
    public void Stored(string site, string device, string stream, IReadOnlyList<(long From, long To)> seqs, long earliestNs, long latestNs) =>
        _spans.Record(site, device, stream, seqs, earliestNs, latestNs);

    private readonly StreamSpans _spans = new();

    /// <summary>The samples that would change stored values (empty: the batch is new or repeats what is stored).</summary>
    public async Task<IReadOnlyList<SampleConflict>> FindConflictsAsync(string site, string device, string stream, IReadOnlyList<Sample> samples,
        ReplayCheckAccess access, CancellationToken ct)
    {
        if (samples.Count == 0) return [];
        // The points of messages prepared before this one must be in InfluxDB before it is compared with them.
        await access.EarlierWritesAsync(site, device, ct);
        var measurements = samples.Select(s => s.Measurement).ToHashSet(StringComparer.Ordinal);
        var equipment = samples.Select(s => s.Equipment).ToHashSet(StringComparer.Ordinal);
        var spans = StoredSamples.Spans(samples.Select(s => s.TimestampNs), SpanGapNs);
        Dictionary<(string, string, long), List<StoredPoint>> found = [];
        await access.Retry(async t => found = await stored.ReadAsync(site, device, measurements, equipment, spans, t), ct);
        var conflicts = new List<SampleConflict>();
        foreach (var sample in samples)
        {
            var points = found.GetValueOrDefault((sample.Measurement, sample.Equipment, sample.TimestampNs));
            if (Compare(sample, points ?? [], delivery.Has(site, device, stream, sample.Seq)) is { } conflict) conflicts.Add(conflict);
        }
        return conflicts;
    }

    /// <summary>
    /// One offered sample against the stored points at its identity: identical fields (readings and seq, exact values;
    /// the service's own clock_skew flag aside) are a duplicate; any difference, an added or missing field included, is a
    /// conflict. No stored point is a new point — unless the sample's seq of this stream arrived before
    /// (<paramref name="seqArrived"/>): then that seq is stored elsewhere and this would be a second, different version of it.
    /// </summary>
    public static SampleConflict? Compare(Sample offered, IReadOnlyList<StoredPoint> points, bool seqArrived)
    {
        if (points.Count == 0) return seqArrived ? new SampleConflict(offered, []) : null;
        foreach (var point in points)
            if (!SameContent(offered, point.Fields)) return new SampleConflict(offered, points);
        return null;
    }

    private static bool SameContent(Sample offered, IReadOnlyDictionary<string, object> fields)
    {
        var count = 0;
        foreach (var (name, value) in fields)
        {
            if (name == "seq")
            {
                if (InfluxValue.Long(value) != offered.Seq) return false;
            }
            else if (offered.Readings.FirstOrDefault(r => r.Name == name) is { } reading)
            {
                // A float stored as 5 comes back as the integer 5: compared as numbers, exactly.
                if (value is not (double or long) || InfluxValue.Double(value) != reading.Value) return false;
            }
            else if (PointFlags.All.Contains(name)) continue; // the service's flags, not the device's content
            else return false;
            count++;
        }
        return count == offered.Readings.Count + 1;
    }
}
