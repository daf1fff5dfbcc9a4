using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Calibration;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors.Pulse;

/// <summary>
/// A Hall-effect pickup on the bowl (rpm, and G from the bowl diameter) or a pulse flow meter
/// (K-factor pulses per litre), counted on GPIO edges between two reads.
/// </summary>
public sealed class PulseSensor : DriverSensor, IDisposable
{
    private readonly string _name;
    private readonly PulseCounter _counter;
    private readonly IDisposable? _source;
    private readonly RpmCalculator? _rpm;
    private readonly PulseFlowMeter? _flow;
    private PulseCountSnapshot _previous;

    public PulseSensor(string name, SensorContext ctx, IEdgeSource edges, TimeSpan debounce, RpmCalculator rpm)
        : this(name, ctx, edges, debounce) => _rpm = rpm;

    public PulseSensor(string name, SensorContext ctx, IEdgeSource edges, TimeSpan debounce, PulseFlowMeter flow)
        : this(name, ctx, edges, debounce) => _flow = flow;

    private PulseSensor(string name, SensorContext ctx, IEdgeSource edges, TimeSpan debounce)
        : base(ctx)
    {
        _name = name;
        _source = edges as IDisposable;
        _counter = new PulseCounter(edges, debounce);
        _previous = _counter.ReadSnapshot();
    }

    public override ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var current = _counter.ReadSnapshot();
        if (current.TakenAt <= _previous.TakenAt) return ValueTask.FromResult<IReadOnlyList<Reading>>([]);
        IReadOnlyList<Reading> readings;
        if (_flow is not null)
        {
            var flow = _flow.Calculate(_previous, current);
            readings = [new Reading(_name, Math.Round(flow.LitresPerMinute, 3), Units.LitresPerMinute)];
        }
        else
        {
            var rpm = _rpm!.Calculate(_previous, current);
            var list = new List<Reading> { new(_name, Math.Round(rpm.Rpm, 2), Units.Rpm) };
            if (Ctx.BowlDiameterMm is { } mm)
                list.Add(new Reading("bowl_g", Math.Round(CentrifugeGForce.FromBowlDiameter(rpm.Rpm, mm / 1000.0), 3), Units.GForce));
            readings = list;
        }
        _previous = current;
        return ValueTask.FromResult(readings);
    }

    public void Dispose()
    {
        _counter.Dispose();
        _source?.Dispose();
    }
}
