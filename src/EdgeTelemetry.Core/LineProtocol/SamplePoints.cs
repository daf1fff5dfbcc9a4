using EdgeTelemetry.Model;

namespace EdgeTelemetry.LineProtocol;

/// <summary>
/// Maps a validated sample to its InfluxDB point (docs/data-model.md). The point's identity —
/// measurement, tags {site, device, equipment} and timestamp — depends only on the sample, so a
/// replayed batch rewrites the same point and InfluxDB keeps one.
/// </summary>
public static class SamplePoints
{
    public static Point ToPoint(string site, string device, Sample sample)
    {
        var point = new Point(sample.Measurement, sample.TimestampNs)
            .Tag("site", site)
            .Tag("device", device)
            .Tag("equipment", sample.Equipment);
        foreach (var r in sample.Readings) point.Field(r.Name, r.Value);
        // The device's sequence number travels with the point so gaps can be audited from the database.
        point.Field("seq", sample.Seq);
        return point;
    }
}
