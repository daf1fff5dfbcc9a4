namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// What a driver adapter needs besides its own options: where its readings go, and — on emulated
/// hardware — the simulated plant whose state it writes into the emulator before each read.
/// </summary>
/// <param name="Physics">On emulated hardware, the physical value of a channel at a time (null: real hardware).</param>
public sealed record SensorContext(
    string Measurement,
    string Equipment,
    TimeSpan Interval,
    Func<string, DateTimeOffset, double?>? Physics,
    double? BowlDiameterMm,
    ILogger Logger)
{
    public bool Emulated => Physics is not null;

    public double Truth(string channel, DateTimeOffset now, double fallback = 0) => Physics?.Invoke(channel, now) ?? fallback;
}
