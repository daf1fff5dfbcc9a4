namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>
/// <c>alarmOutputs:</c> relays driven by alarm state (a buzzer, a stack light) and the acknowledge
/// button. Pins are BCM numbers, checked against the sensors' pins by validate-config.
/// </summary>
public sealed class AlarmOutputOptions
{
    public List<AlarmOutputPinOptions> Outputs { get; set; } = [];
    /// <summary>The push button that silences the buzzers; unset: no button (the page can still acknowledge).</summary>
    public AcknowledgeButtonOptions? Acknowledge { get; set; }
}

/// <summary>One relay output.</summary>
public sealed class AlarmOutputPinOptions
{
    /// <summary>What it is, for logs and the page, e.g. "buzzer" or "stack-light-red".</summary>
    public string Name { get; set; } = "";
    public int? Pin { get; set; }
    /// <summary>True when the relay board energises on a low level (most opto-isolated boards do).</summary>
    public bool ActiveLow { get; set; }
    /// <summary>"steady" (on while active) or "blink".</summary>
    public string Mode { get; set; } = "steady";
    /// <summary>Blink period (on + off), for mode blink.</summary>
    public int BlinkPeriodMs { get; set; } = 1000;
    /// <summary>Alarm ids ("equipment.rule", or a rule id for that rule on every equipment); empty: every alarm.</summary>
    public List<string> Alarms { get; set; } = [];
    /// <summary>"warning", "critical"; empty: every severity.</summary>
    public List<string> Severities { get; set; } = [];
    /// <summary>True for a buzzer: an acknowledgement turns it off until the next new alarm. A light keeps shining (false).</summary>
    public bool SilencedByAcknowledge { get; set; }
}

/// <summary>The acknowledge push button.</summary>
public sealed class AcknowledgeButtonOptions
{
    public int? Pin { get; set; }
    /// <summary>True (default) for a button to ground with the Pi's pull-up; false for one to 3.3 V with the pull-down.</summary>
    public bool ActiveLow { get; set; } = true;
    /// <summary>The level must stay this long before a press counts (contacts bounce for a few ms).</summary>
    public int DebounceMs { get; set; } = 50;
}
