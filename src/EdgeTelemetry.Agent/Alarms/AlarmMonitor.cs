using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Alarms;

/// <summary>
/// Runs every equipment's alarm rules on the samples as they are taken and turns transitions into
/// event samples (buffered and published like telemetry). Operators on site see them in the log
/// and on the events topic even with no link to the central service.
/// </summary>
public sealed class AlarmMonitor
{
    private readonly Dictionary<string, (AlarmEvaluator Evaluator, EquipmentProfile Profile)> _byEquipment = [];
    private readonly ILogger<AlarmMonitor> _logger;
    private readonly Lock _lock = new();
    private readonly Annunciator? _annunciator;

    /// <param name="annunciator">Where transitions go for the on-site outputs and page (none in some tests).</param>
    public AlarmMonitor(AgentOptions options, ILogger<AlarmMonitor> logger, Annunciator? annunciator = null)
    {
        _logger = logger;
        _annunciator = annunciator;
        foreach (var e in options.Equipment)
        {
            var profile = EquipmentProfiles.Find(e.Profile);
            if (profile is not null) _byEquipment[e.Id] = (new AlarmEvaluator(e.Id, AlarmRuleBuilder.Build(e, profile)), profile);
        }
    }

    public IReadOnlyList<string> RaisedAlarms()
    {
        lock (_lock) return [.. _byEquipment.Values.SelectMany(v => v.Evaluator.Raised.Select(r => $"{v.Evaluator.Equipment}.{r}"))];
    }

    /// <summary>Every rule the agent evaluates, as "equipment.rule" ids (what alarm outputs may name).</summary>
    public static IEnumerable<(string Id, AlarmRule Rule)> RuleIds(AgentOptions options)
    {
        foreach (var e in options.Equipment)
        {
            if (EquipmentProfiles.Find(e.Profile) is not { } profile) continue;
            IReadOnlyList<AlarmRule> rules;
            try { rules = AlarmRuleBuilder.Build(e, profile); }
            catch (ArgumentException) { continue; } // reported by the validator
            foreach (var r in rules) yield return ($"{e.Id}.{r.Id}", r);
        }
    }

    /// <summary>Drops implausible values (outside the profile's range) and returns the alarm events the sample causes.</summary>
    public (IReadOnlyList<Reading> Plausible, IReadOnlyList<PendingSample> Events) Inspect(string equipment, long timestampNs, IReadOnlyList<Reading> readings)
    {
        if (!_byEquipment.TryGetValue(equipment, out var entry)) return (readings, []);
        var plausible = new List<Reading>(readings.Count);
        foreach (var r in readings)
        {
            var spec = entry.Profile.Channel(r.Name);
            if (spec is not null && (r.Value < spec.Min || r.Value > spec.Max))
            {
                _logger.LogWarning("{Equipment}.{Channel} = {Value} {Unit} is outside the plausible {Min}..{Max}; dropped as a sensor fault",
                    equipment, r.Name, r.Value, r.Unit, spec.Min, spec.Max);
                continue;
            }
            plausible.Add(r);
        }
        IReadOnlyList<AlarmTransition> transitions;
        lock (_lock) transitions = entry.Evaluator.Evaluate(timestampNs, plausible);
        var events = new List<PendingSample>(transitions.Count);
        foreach (var t in transitions)
        {
            var rule = entry.Evaluator.Rules.First(x => x.Id == t.RuleId);
            var unit = entry.Profile.Channel(rule.Channel)?.Unit ?? plausible.FirstOrDefault(r => r.Name == rule.Channel)?.Unit ?? Units.None;
            if (t.Raised)
                _logger.LogWarning("ALARM raised {Equipment}.{Rule}: {Channel} = {Value} {Unit} ({Comparison} {Threshold})",
                    t.Equipment, t.RuleId, rule.Channel, t.Value, unit, rule.Comparison, rule.Threshold);
            else
                _logger.LogInformation("Alarm cleared {Equipment}.{Rule}: {Channel} = {Value} {Unit}", t.Equipment, t.RuleId, rule.Channel, t.Value, unit);
            events.Add(AlarmEvaluator.ToEvent(t, unit));
            _annunciator?.Record(t, rule, unit);
        }
        return (plausible, events);
    }
}
