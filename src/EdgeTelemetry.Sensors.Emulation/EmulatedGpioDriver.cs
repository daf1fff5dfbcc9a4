using System.Device.Gpio;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// A <see cref="GpioDriver"/> with no hardware: inputs read from delegates or set levels, outputs go to delegates,
/// and level changes on inputs raise the callbacks registered through
/// <see cref="GpioController.RegisterCallbackForPinValueChangedEvent"/>. Lets production GPIO adapters
/// (GpioHx711Pins, GpioEdgeSource) run against emulated chips through a real <see cref="GpioController"/>.
/// </summary>
public sealed class EmulatedGpioDriver : GpioDriver
{
    // Enough for a test to see every relay change; bounded because emulated agents run for days in the demo.
    private const int WriteLogCapacity = 4096;
    private readonly object _gate = new();
    private readonly Queue<PinWrite> _writes = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, Func<bool>> _inputs = [];
    private readonly Dictionary<int, Action<bool>> _outputs = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _callbacks = [];

    /// <summary>Makes reads of <paramref name="pin"/> call <paramref name="read"/> (true = high).</summary>
    public void ConnectInput(int pin, Func<bool> read)
    {
        lock (_gate)
        {
            _inputs[pin] = read;
        }
    }

    /// <summary>Sends writes to <paramref name="pin"/> to <paramref name="write"/> (true = high).</summary>
    public void ConnectOutput(int pin, Action<bool> write)
    {
        lock (_gate)
        {
            _outputs[pin] = write;
        }
    }

    /// <summary>Raised on every write to an output pin (after it is recorded), on the writer's thread.</summary>
    public event Action<PinWrite>? Written;

    /// <summary>The most recent writes to output pins, oldest first.</summary>
    public IReadOnlyList<PinWrite> Writes()
    {
        lock (_gate)
        {
            return [.. _writes];
        }
    }

    /// <summary>The level last written to or set on <paramref name="pin"/> (low when never touched).</summary>
    public PinValue Level(int pin)
    {
        lock (_gate)
        {
            return _levels.GetValueOrDefault(pin, PinValue.Low);
        }
    }

    /// <summary>Drives an input to a level, raising edge callbacks if it changed.</summary>
    public void SetInputLevel(int pin, PinValue level)
    {
        List<PinChangeEventHandler> toCall = [];
        PinEventTypes edge;
        lock (_gate)
        {
            PinValue previous = _levels.GetValueOrDefault(pin, PinValue.Low);
            _levels[pin] = level;
            if (previous == level)
            {
                return;
            }

            edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            if (_callbacks.TryGetValue(pin, out var list))
            {
                toCall.AddRange(list.Where(c => c.Types.HasFlag(edge)).Select(c => c.Callback));
            }
        }

        foreach (var callback in toCall)
        {
            callback(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    /// <summary>One pulse on an input: low → high → low (a falling and a rising edge).</summary>
    public void Pulse(int pin)
    {
        SetInputLevel(pin, PinValue.High);
        SetInputLevel(pin, PinValue.Low);
    }

    /// <inheritdoc />
    protected override int PinCount => 54;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            _modes[pinNumber] = PinMode.Input;
        }
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.Remove(pinNumber);
        }
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
            // An open input with a pull resistor idles at the pull's level, as a released button does.
            if (!_levels.ContainsKey(pinNumber) && mode is PinMode.InputPullUp)
            {
                _levels[pinNumber] = PinValue.High;
            }
        }
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _modes.GetValueOrDefault(pinNumber, PinMode.Input);
        }
    }

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        Func<bool>? input;
        lock (_gate)
        {
            if (!_inputs.TryGetValue(pinNumber, out input))
            {
                return _levels.GetValueOrDefault(pinNumber, PinValue.Low);
            }
        }

        return input() ? PinValue.High : PinValue.Low;
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        Action<bool>? output;
        var write = new PinWrite(pinNumber, value == PinValue.High, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _levels[pinNumber] = value;
            _outputs.TryGetValue(pinNumber, out output);
            _writes.Enqueue(write);
            if (_writes.Count > WriteLogCapacity)
            {
                _writes.Dequeue();
            }
        }

        output?.Invoke(write.High);
        Written?.Invoke(write);
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        new() { EventTypes = PinEventTypes.None, TimedOut = true };

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_callbacks.TryGetValue(pinNumber, out var list))
            {
                list.RemoveAll(c => c.Callback == callback);
            }
        }
    }
}

/// <summary>One write to an output pin: which, the level, and when (wall clock, to compare with sample times).</summary>
public sealed record PinWrite(int Pin, bool High, DateTimeOffset At);
