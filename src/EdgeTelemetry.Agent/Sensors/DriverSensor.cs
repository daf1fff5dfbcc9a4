using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>A driver adapter: where its readings go comes from its <see cref="SensorContext"/>, the reading is its own.</summary>
public abstract class DriverSensor(SensorContext ctx) : ISensor
{
    protected SensorContext Ctx { get; } = ctx;

    public string Measurement => Ctx.Measurement;
    public string Equipment => Ctx.Equipment;
    public TimeSpan Interval => Ctx.Interval;

    public abstract ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct);
}
