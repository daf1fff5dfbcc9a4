namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// What a driver adapter needs besides its own options: where its readings go, and — for the emulators that
/// emulated hardware puts behind it — the simulated plant whose state they are fed with.
/// </summary>
/// <param name="Physics">On emulated hardware, the physical value of a channel at a time (null: real hardware). Read by emulators, never by adapters.</param>
/// <param name="Profile">The equipment profile (or, without an equipment entry, the sensor's <c>profile</c>).</param>
/// <param name="Index">The sensor's position in <c>sensors[]</c>.</param>
public sealed record SensorContext(
    string Measurement,
    string Equipment,
    TimeSpan Interval,
    Func<string, DateTimeOffset, double?>? Physics,
    double? BowlDiameterMm,
    ILogger Logger,
    string Profile = "",
    int Index = 0)
{
    public double Truth(string channel, DateTimeOffset now, double fallback = 0) => Physics?.Invoke(channel, now) ?? fallback;
}
