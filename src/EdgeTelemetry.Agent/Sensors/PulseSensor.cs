using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Calibration;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// A Hall-effect pickup on the bowl (rpm, and G from the bowl diameter) or a pulse flow meter
/// (K-factor pulses per litre), counted on GPIO edges between two reads.
/// </summary>
public sealed class PulseSensor : ISensor, IDisposable
{
    private readonly SensorContext _ctx;
    private readonly SensorOptions _o;
    private readonly bool _isFlow;
    private readonly PulseCounter _counter;
    private readonly IDisposable? _source;
    private readonly RpmCalculator? _rpm;
    private readonly PulseFlowMeter? _flow;
    private PulseCountSnapshot _previous;

    public PulseSensor(SensorOptions o, SensorContext ctx, bool isFlow, ISensorHardware hardware)
    {
        _ctx = ctx;
        _o = o;
        _isFlow = isFlow;
        var stoppedAfter = TimeSpan.FromSeconds(o.StoppedAfterSeconds);
        if (isFlow) _flow = new PulseFlowMeter(o.KFactor ?? throw new ArgumentException("kFactor: is required"), stoppedAfter);
        else _rpm = new RpmCalculator(o.PulsesPerRevolution, stoppedAfter);
        // Pulses per second per unit of the channel: K pulses per litre of L/min, or pulses per revolution of rpm.
        var hertzPerUnit = (isFlow ? _flow!.KFactor : _rpm!.PulsesPerRevolution) / 60.0;
        var source = hardware.OpenEdges(o, ctx, Name, hertzPerUnit);
        _source = source as IDisposable;
        _counter = new PulseCounter(source, TimeSpan.FromMilliseconds(o.DebounceMs));
        _previous = _counter.ReadSnapshot();
    }

    public string Name => _o.Name ?? (_isFlow ? "water_flow" : "bowl_speed");
    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var current = _counter.ReadSnapshot();
        if (current.TakenAt <= _previous.TakenAt) return ValueTask.FromResult<IReadOnlyList<Reading>>([]);
        IReadOnlyList<Reading> readings;
        if (_flow is not null)
        {
            var flow = _flow.Calculate(_previous, current);
            readings = [new Reading(Name, Math.Round(flow.LitresPerMinute, 3), Units.LitresPerMinute)];
        }
        else
        {
            var rpm = _rpm!.Calculate(_previous, current);
            var list = new List<Reading> { new(Name, Math.Round(rpm.Rpm, 2), Units.Rpm) };
            if (_ctx.BowlDiameterMm is { } mm)
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
