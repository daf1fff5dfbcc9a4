using System.Device.Gpio;

namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>
/// The acknowledge push button, debounced: every edge restarts a timer, and only a level that has
/// stayed put for the debounce time counts. A press is a change from released to pressed, so contact
/// bounce on press or release never acknowledges twice, and holding the button acknowledges once.
/// </summary>
public sealed class AcknowledgeButton : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly PinValue _pressedLevel;
    private readonly TimeSpan _debounce;
    private readonly Action _pressed;
    private readonly ITimer _settle;
    private readonly Lock _lock = new();
    private bool _down;

    public AcknowledgeButton(GpioController gpio, AcknowledgeButtonOptions o, TimeProvider time, Action pressed)
    {
        (_gpio, _pressed) = (gpio, pressed);
        _pin = o.Pin ?? throw new ArgumentException("alarmOutputs:acknowledge: pin is required");
        _pressedLevel = o.ActiveLow ? PinValue.Low : PinValue.High;
        _debounce = TimeSpan.FromMilliseconds(o.DebounceMs);
        _gpio.OpenPin(_pin, o.ActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown);
        _down = IsDown();
        _settle = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _gpio.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    /// <summary>Presses counted since start.</summary>
    public int Presses { get; private set; }

    private void OnEdge(object sender, PinValueChangedEventArgs e) => _settle.Change(_debounce, Timeout.InfiniteTimeSpan);

    private void Settle()
    {
        var down = IsDown();
        bool press;
        lock (_lock)
        {
            press = down && !_down;
            _down = down;
            if (press) Presses++;
        }
        if (press) _pressed();
    }

    private bool IsDown() => _gpio.Read(_pin) == _pressedLevel;

    public void Dispose()
    {
        _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        _settle.Dispose();
    }
}
