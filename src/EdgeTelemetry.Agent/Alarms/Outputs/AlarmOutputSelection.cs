namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>Which alarms an output follows, from its <c>alarms</c> and <c>severities</c> lists.</summary>
public sealed class AlarmOutputSelection(IReadOnlyList<string> alarms, IReadOnlyList<AlarmSeverity> severities)
{
    public static AlarmOutputSelection From(AlarmOutputPinOptions o) =>
        new(o.Alarms, [.. o.Severities.Select(AlarmRule.ParseSeverity)]);

    public bool Follows(SiteAlarm a) =>
        (alarms.Count == 0 || alarms.Contains(a.Id) || alarms.Contains(a.Rule)) &&
        (severities.Count == 0 || severities.Contains(a.Severity));

    /// <summary>True when an alarm id from the config names a rule of <paramref name="rules"/> ("equipment.rule" or a rule id).</summary>
    public static bool Names(string id, IEnumerable<(string Id, AlarmRule Rule)> rules) =>
        rules.Any(r => r.Id == id || r.Rule.Id == id);
}
