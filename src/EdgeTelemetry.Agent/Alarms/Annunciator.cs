using System.Threading.Channels;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Alarms;

/// <summary>Who acknowledged; stored as the value of each rule's field in <c>alarm_ack</c>.</summary>
public enum AcknowledgeSource { Button = 1, Page = 2 }

/// <summary>One alarm as the people on site see it: raised, maybe acknowledged, maybe cleared.</summary>
public sealed record SiteAlarm(
    string Equipment, string Rule, AlarmSeverity Severity, string Channel, double Value, string Unit,
    long RaisedNs, long? AcknowledgedNs = null, AcknowledgeSource? AcknowledgedBy = null, long? ClearedNs = null)
{
    /// <summary>"equipment.rule", the id alarm outputs and the page use.</summary>
    public string Id => $"{Equipment}.{Rule}";
    public bool Active => ClearedNs is null;
    public bool Acknowledged => AcknowledgedNs is not null;
}

/// <summary>
/// The on-site alarm panel (an annunciator, in control-room terms): which alarms are active, which of
/// those someone has acknowledged, and the recent ones. An acknowledgement silences what sounds until
/// the next new alarm; a light stays on while the alarm is active. Every acknowledgement goes into the
/// buffer as an <c>alarm_ack</c> event, so it is published like any other event — with or without a link.
/// </summary>
public sealed class Annunciator(ChannelWriter<PendingSample> queue, ClockMonitor clock, ILogger<Annunciator> logger)
{
    private const int RecentCapacity = 50;
    private readonly Dictionary<string, SiteAlarm> _active = new(StringComparer.Ordinal);
    private readonly LinkedList<SiteAlarm> _recent = new();
    private readonly Lock _lock = new();

    /// <summary>Raised after every change (outside the lock), on the thread that caused it: outputs react at once.</summary>
    public event Action? Changed;

    /// <summary>Takes one raise or clear from the alarm monitor.</summary>
    public void Record(AlarmTransition t, AlarmRule rule, string unit)
    {
        var id = $"{t.Equipment}.{t.RuleId}";
        lock (_lock)
        {
            if (t.Raised)
            {
                _active[id] = new SiteAlarm(t.Equipment, t.RuleId, rule.Severity, rule.Channel, t.Value, unit, t.TimestampNs);
            }
            else if (_active.Remove(id, out var ended))
            {
                Remember(ended with { ClearedNs = t.TimestampNs, Value = t.Value });
            }
        }
        Changed?.Invoke();
    }

    public IReadOnlyList<SiteAlarm> Active()
    {
        lock (_lock) return [.. _active.Values.OrderBy(a => a.RaisedNs)];
    }

    /// <summary>Cleared alarms, newest first (at most 50).</summary>
    public IReadOnlyList<SiteAlarm> Recent()
    {
        lock (_lock) return [.. _recent];
    }

    /// <summary>
    /// Acknowledges every active, unacknowledged alarm and queues one <c>alarm_ack</c> event per equipment.
    /// Returns what it acknowledged (empty when there was nothing to acknowledge: no event then).
    /// </summary>
    public IReadOnlyList<SiteAlarm> Acknowledge(AcknowledgeSource source)
    {
        var (timestampNs, stamp) = clock.Stamp();
        List<SiteAlarm> acknowledged = [];
        lock (_lock)
        {
            foreach (var (id, alarm) in _active.Where(kv => !kv.Value.Acknowledged).ToList())
            {
                var a = alarm with { AcknowledgedNs = timestampNs, AcknowledgedBy = source };
                _active[id] = a;
                acknowledged.Add(a);
            }
        }
        if (acknowledged.Count == 0) return acknowledged;
        foreach (var group in acknowledged.GroupBy(a => a.Equipment))
        {
            var readings = group.Select(a => new Reading(a.Rule, (int)source, Units.None)).ToList();
            // The queue drops its oldest when full rather than refusing, so this never loses the acknowledgement itself.
            queue.TryWrite(new PendingSample(timestampNs, Measurements.AlarmAck, group.Key, readings, SampleKind.Event, stamp));
        }
        logger.LogWarning("Alarm acknowledged by {Source}: {Alarms}", source, string.Join(", ", acknowledged.Select(a => a.Id)));
        Changed?.Invoke();
        return acknowledged;
    }

    private void Remember(SiteAlarm ended)
    {
        _recent.AddFirst(ended);
        if (_recent.Count > RecentCapacity) _recent.RemoveLast();
    }
}
