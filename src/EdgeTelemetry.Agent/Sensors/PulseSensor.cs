using System.Device.Gpio;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Calibration;
using EdgeTelemetry.Sensors.Emulation;
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
    private readonly SimulatedEdgeSource? _emulated;
    private readonly ManualClock? _emulatedClock;
    private readonly RpmCalculator? _rpm;
    private readonly PulseFlowMeter? _flow;
    private DateTimeOffset? _lastEmulated;
    private PulseCountSnapshot _previous;

    public PulseSensor(SensorOptions o, SensorContext ctx, bool isFlow, GpioController? gpio)
    {
        _ctx = ctx;
        _o = o;
        _isFlow = isFlow;
        IEdgeSource source;
        if (ctx.Emulated)
        {
            _emulatedClock = new ManualClock();
            source = _emulated = new SimulatedEdgeSource(_emulatedClock);
        }
        else
        {
            var edges = new GpioEdgeSource(gpio!, o.Pin ?? throw new ArgumentException("pin: is required"));
            _source = edges;
            source = edges;
        }
        _counter = new PulseCounter(source, TimeSpan.FromMilliseconds(o.DebounceMs));
        var stoppedAfter = TimeSpan.FromSeconds(o.StoppedAfterSeconds);
        if (isFlow) _flow = new PulseFlowMeter(o.KFactor ?? throw new ArgumentException("kFactor: is required"), stoppedAfter);
        else _rpm = new RpmCalculator(o.PulsesPerRevolution, stoppedAfter);
        _previous = _counter.ReadSnapshot();
    }

    public string Name => _o.Name ?? (_isFlow ? "water_flow" : "bowl_speed");
    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (_emulated is not null) EmulateUntil(now);
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

    /// <summary>Emulation: run the pulse train at the plant's current speed for the time since the last read.</summary>
    private void EmulateUntil(DateTimeOffset now)
    {
        var truth = _ctx.Truth(Name, now);
        if (_isFlow) _emulated!.SetFlow(truth, _flow!.KFactor);
        else _emulated!.SetRpm(truth, _rpm!.PulsesPerRevolution);
        var elapsed = _lastEmulated is { } last ? now - last : _ctx.Interval;
        _lastEmulated = now;
        if (elapsed > TimeSpan.Zero) _emulated.Advance(elapsed < TimeSpan.FromMinutes(1) ? elapsed : TimeSpan.FromMinutes(1));
    }

    public void Dispose()
    {
        _counter.Dispose();
        _source?.Dispose();
    }
}
