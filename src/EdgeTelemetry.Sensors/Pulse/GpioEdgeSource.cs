using System.Device.Gpio;

namespace EdgeTelemetry.Sensors.Pulse;

/// <summary>
/// Edges on a GPIO input via <see cref="GpioController.RegisterCallbackForPinValueChangedEvent"/>.
/// The kernel delivers edge events to a callback thread; each is time-stamped on arrival with
/// <see cref="Clock"/> (the callback carries no hardware timestamp in System.Device.Gpio 4.2),
/// so timing jitter is that of the callback thread (typically well under 1 ms on a Pi).
/// </summary>
public sealed class GpioEdgeSource : IEdgeSource, IDisposable
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly PinChangeEventHandler _handler;
    private readonly bool _openedPin;

    /// <param name="controller">GPIO controller (logical/BCM numbering).</param>
    /// <param name="pin">Input pin of the Hall sensor / flow meter.</param>
    /// <param name="edges">Edges to report (one edge type per pulse is normal: e.g. Falling for an open-collector sensor).</param>
    /// <param name="mode">Input mode; open-collector Hall sensors need a pull-up (internal or external).</param>
    /// <param name="clock">Timestamp source; defaults to <see cref="TimeProvider.System"/>.</param>
    public GpioEdgeSource(GpioController controller, int pin, PinEventTypes edges = PinEventTypes.Falling,
        PinMode mode = PinMode.InputPullUp, TimeProvider? clock = null)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _pin = pin;
        Clock = clock ?? TimeProvider.System;
        _handler = OnPinChanged;
        if (!_controller.IsPinOpen(pin))
        {
            _controller.OpenPin(pin, mode);
            _openedPin = true;
        }

        _controller.RegisterCallbackForPinValueChangedEvent(pin, edges, _handler);
    }

    /// <inheritdoc />
    public TimeProvider Clock { get; }

    /// <inheritdoc />
    public event Action<EdgeEvent>? EdgeDetected;

    /// <inheritdoc />
    public void Dispose()
    {
        _controller.UnregisterCallbackForPinValueChangedEvent(_pin, _handler);
        if (_openedPin)
        {
            _controller.ClosePin(_pin);
        }
    }

    private void OnPinChanged(object sender, PinValueChangedEventArgs e) =>
        EdgeDetected?.Invoke(new EdgeEvent(EdgeClock.Now(Clock), e.ChangeType.HasFlag(PinEventTypes.Rising)));
}
