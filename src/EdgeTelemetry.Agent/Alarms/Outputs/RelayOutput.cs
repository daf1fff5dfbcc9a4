using System.Device.Gpio;

namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>
/// One relay on a GPIO pin: on while any alarm it follows is active (and, for a buzzer, not yet
/// acknowledged), steady or blinking. The first write happens on the caller's thread, so an alarm
/// reaches the relay without waiting for a timer; only the blink phases after it are timed.
/// </summary>
public sealed class RelayOutput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly AlarmOutputPinOptions _o;
    private readonly TimeSpan _halfPeriod;
    private readonly ITimer? _blink;
    private readonly Lock _lock = new();
    private bool _active;
    private bool _lit;

    public RelayOutput(GpioController gpio, AlarmOutputPinOptions o, TimeProvider time)
    {
        (_gpio, _o) = (gpio, o);
        Selection = AlarmOutputSelection.From(o);
        Pin = o.Pin ?? throw new ArgumentException($"alarmOutputs: output '{o.Name}' has no pin");
        _halfPeriod = TimeSpan.FromMilliseconds(Math.Max(100, o.BlinkPeriodMs) / 2.0);
        // Open at the inactive level, so the relay does not click on at start.
        _gpio.OpenPin(Pin, PinMode.Output, Level(false));
        if (o.Mode == "blink") _blink = time.CreateTimer(_ => Toggle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Name => _o.Name;
    public int Pin { get; }
    public AlarmOutputSelection Selection { get; }
    public bool SilencedByAcknowledge => _o.SilencedByAcknowledge;

    /// <summary>Whether alarms currently drive it (a blinking output is active during its dark phases too).</summary>
    public bool Active { get { lock (_lock) return _active; } }

    /// <summary>True when <paramref name="alarms"/> hold one this output sounds or shows for.</summary>
    public bool WantsOn(IEnumerable<SiteAlarm> alarms) =>
        alarms.Any(a => Selection.Follows(a) && !(SilencedByAcknowledge && a.Acknowledged));

    public void Drive(bool active)
    {
        lock (_lock)
        {
            if (active == _active) return;
            _active = active;
            Write(active);
            _blink?.Change(active ? _halfPeriod : Timeout.InfiniteTimeSpan, active ? _halfPeriod : Timeout.InfiniteTimeSpan);
        }
    }

    private void Toggle()
    {
        lock (_lock)
        {
            if (_active) Write(!_lit);
        }
    }

    private void Write(bool lit)
    {
        _lit = lit;
        _gpio.Write(Pin, Level(lit));
    }

    private PinValue Level(bool lit) => lit != _o.ActiveLow ? PinValue.High : PinValue.Low;

    public void Dispose()
    {
        _blink?.Dispose();
        lock (_lock)
        {
            // A stopped agent leaves its relays de-energised.
            _active = false;
            Write(false);
        }
    }
}
