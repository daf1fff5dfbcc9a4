using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Alarms;

/// <summary>Every default alarm rule of every profile raises on its condition, after its duration, and clears.</summary>
public class ProfileAlarmRuleTests
{
    public static TheoryData<string, string> Rules()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in EquipmentProfiles.All.Values)
            foreach (var r in p.DefaultAlarms) data.Add(p.Name, r.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Default_rule_raises_after_its_minimum_duration_and_clears_past_its_hysteresis(string profileName, string ruleId)
    {
        var profile = EquipmentProfiles.All[profileName];
        var rule = profile.DefaultAlarms.Single(r => r.Id == ruleId);
        var unit = profile.Channel(rule.Channel)!.Unit;
        var breach = rule.Comparison == Comparison.Above ? rule.Threshold + 1 : rule.Threshold - 1;
        var recover = rule.Comparison == Comparison.Above ? rule.Threshold - rule.Hysteresis - 1 : rule.Threshold + rule.Hysteresis + 1;
        List<Reading> Readings(double v)
        {
            var list = new List<Reading> { new(rule.Channel, v, unit) };
            if (rule.While is { } w)
                list.Add(new Reading(w.Channel, w.Comparison == Comparison.Above ? w.Threshold + 1 : w.Threshold - 1, profile.Channel(w.Channel)!.Unit));
            return list;
        }
        var evaluator = new AlarmEvaluator("eq-1", [rule]);
        var durationNs = rule.MinDuration.Ticks * 100;

        Assert.Empty(evaluator.Evaluate(0, Readings(breach)));
        if (durationNs > 0) Assert.Empty(evaluator.Evaluate(durationNs - 1, Readings(breach)));
        Assert.True(Assert.Single(evaluator.Evaluate(durationNs, Readings(breach))).Raised);
        Assert.False(Assert.Single(evaluator.Evaluate(durationNs + 1, Readings(recover))).Raised);
    }
}
