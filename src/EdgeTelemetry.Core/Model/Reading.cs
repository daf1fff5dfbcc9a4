namespace EdgeTelemetry.Model;

/// <summary>One calibrated value of one channel, with its unit (see <see cref="Units"/>).</summary>
public sealed record Reading(string Name, double Value, string Unit);

/// <summary>
/// One sampling of one piece of equipment at one instant: the unit of buffering and of storage
/// (it becomes one InfluxDB point). <paramref name="TimestampNs"/> is UTC, nanoseconds since the Unix epoch.
/// </summary>
public sealed record Sample(
    long Seq,
    long TimestampNs,
    string Measurement,
    string Equipment,
    IReadOnlyList<Reading> Readings)
{
    public DateTimeOffset Timestamp => Time.FromUnixNanoseconds(TimestampNs);
}
