namespace EdgeTelemetry.Agent.Alarms;

public enum Comparison { Above, Below }

/// <summary>How urgent an alarm is; alarm outputs can be wired to one severity (a buzzer only for critical ones).</summary>
public enum AlarmSeverity { Warning, Critical }

/// <summary>A precondition ("while the bowl turns"): the rule only applies while it holds.</summary>
public sealed record AlarmCondition(string Channel, Comparison Comparison, double Threshold)
{
    public bool Holds(double value) => Comparison == Comparison.Above ? value > Threshold : value < Threshold;
}

/// <summary>
/// Raises when <see cref="Channel"/> is beyond <see cref="Threshold"/> (and <see cref="While"/>
/// holds) for at least <see cref="MinDuration"/>; clears once the value is back past the threshold
/// by <see cref="Hysteresis"/>, or the precondition no longer holds. Hysteresis and duration keep a
/// noisy signal near the threshold from flapping the alarm.
/// </summary>
public sealed record AlarmRule(string Id, string Channel, Comparison Comparison, double Threshold, double Hysteresis, TimeSpan MinDuration, AlarmCondition? While = null,
    AlarmSeverity Severity = AlarmSeverity.Warning)
{
    public bool Breached(double value) => Comparison == Comparison.Above ? value > Threshold : value < Threshold;

    public bool Recovered(double value) => Comparison == Comparison.Above
        ? value <= Threshold - Hysteresis
        : value >= Threshold + Hysteresis;

    public static AlarmSeverity ParseSeverity(string text) => text switch
    {
        "warning" => AlarmSeverity.Warning,
        "critical" => AlarmSeverity.Critical,
        _ => throw new ArgumentException($"severity '{text}' must be warning or critical"),
    };

    public IEnumerable<string> Channels => While is null ? [Channel] : [Channel, While.Channel];
}
