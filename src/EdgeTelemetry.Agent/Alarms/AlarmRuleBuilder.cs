using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;

namespace EdgeTelemetry.Agent.Alarms;

/// <summary>Combines a profile's default rules with the config's overrides and additions.</summary>
public static class AlarmRuleBuilder
{
    public static IReadOnlyList<AlarmRule> Build(EquipmentOptions equipment, EquipmentProfile profile)
    {
        var rules = profile.DefaultAlarms.ToDictionary(r => r.Id);
        foreach (var a in equipment.Alarms)
        {
            if (!a.Enabled) { rules.Remove(a.Id); continue; }
            rules.TryGetValue(a.Id, out var basis);
            var channel = a.Channel ?? basis?.Channel ?? throw new ArgumentException($"alarm {a.Id}: channel is required for a new rule");
            var comparison = a.Comparison is null ? basis?.Comparison ?? throw new ArgumentException($"alarm {a.Id}: comparison is required") : ParseComparison(a.Comparison);
            var threshold = a.Threshold ?? basis?.Threshold ?? throw new ArgumentException($"alarm {a.Id}: threshold is required");
            var condition = a.WhileChannel is null
                ? basis?.While
                : new AlarmCondition(a.WhileChannel, ParseComparison(a.WhileComparison ?? "above"), a.WhileThreshold ?? 0);
            rules[a.Id] = new AlarmRule(a.Id, channel, comparison, threshold,
                a.Hysteresis ?? basis?.Hysteresis ?? 0,
                a.MinDurationSeconds is { } s ? TimeSpan.FromSeconds(s) : basis?.MinDuration ?? TimeSpan.Zero,
                condition,
                a.Severity is null ? basis?.Severity ?? AlarmSeverity.Warning : AlarmRule.ParseSeverity(a.Severity));
        }
        return [.. rules.Values];
    }

    public static Comparison ParseComparison(string text) => text switch
    {
        "above" => Comparison.Above,
        "below" => Comparison.Below,
        _ => throw new ArgumentException($"comparison '{text}' must be above or below"),
    };
}
