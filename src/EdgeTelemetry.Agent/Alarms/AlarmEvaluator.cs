using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Alarms;

/// <summary>A raised or cleared alarm, as it is buffered and published on the events topic.</summary>
public sealed record AlarmTransition(string Equipment, string RuleId, bool Raised, double Value, long TimestampNs);

/// <summary>
/// Evaluates one equipment's alarm rules against its samples, on the device, so operators are
/// warned with no link. Keeps the latest value of every channel (readings of one equipment may come
/// from several sensors) and each rule's state; not thread-safe (one evaluator per equipment, fed in order).
/// </summary>
public sealed class AlarmEvaluator(string equipment, IReadOnlyList<AlarmRule> rules)
{
    private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RuleState> _state = rules.ToDictionary(r => r.Id, _ => new RuleState());

    public string Equipment { get; } = equipment;
    public IReadOnlyList<AlarmRule> Rules { get; } = rules;

    public IEnumerable<string> Raised => _state.Where(kv => kv.Value.Raised).Select(kv => kv.Key);

    public IReadOnlyList<AlarmTransition> Evaluate(long timestampNs, IEnumerable<Reading> readings)
    {
        foreach (var r in readings) _latest[r.Name] = r.Value;
        List<AlarmTransition>? transitions = null;
        foreach (var rule in Rules)
        {
            if (!_latest.TryGetValue(rule.Channel, out var value)) continue;
            var preconditionHolds = rule.While is null || (_latest.TryGetValue(rule.While.Channel, out var w) && rule.While.Holds(w));
            var state = _state[rule.Id];
            if (!state.Raised)
            {
                if (preconditionHolds && rule.Breached(value))
                {
                    state.BreachedSinceNs ??= timestampNs;
                    if (timestampNs - state.BreachedSinceNs.Value >= rule.MinDuration.Ticks * 100)
                    {
                        state.Raised = true;
                        (transitions ??= []).Add(new AlarmTransition(Equipment, rule.Id, true, value, timestampNs));
                    }
                }
                else
                {
                    state.BreachedSinceNs = null;
                }
            }
            else if (!preconditionHolds || rule.Recovered(value))
            {
                state.Raised = false;
                state.BreachedSinceNs = null;
                (transitions ??= []).Add(new AlarmTransition(Equipment, rule.Id, false, value, timestampNs));
            }
        }
        return transitions ?? (IReadOnlyList<AlarmTransition>)[];
    }

    /// <summary>The event sample for a transition: measurement <c>alarm</c>, field = rule id (1 raised, 0 cleared).</summary>
    public static PendingSample ToEvent(AlarmTransition t, string valueUnit) => new(t.TimestampNs, "alarm", t.Equipment,
        [new Reading(t.RuleId, t.Raised ? 1 : 0, Units.None), new Reading(t.RuleId + "_value", t.Value, valueUnit)],
        SampleKind.Event);

    private sealed class RuleState
    {
        public bool Raised;
        public long? BreachedSinceNs;
    }
}
