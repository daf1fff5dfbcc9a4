using System.Device.Gpio;

namespace EdgeTelemetry.Sensors.Hx711;

/// <summary>DOUT / PD_SCK on two GPIO lines of a <see cref="GpioController"/>.</summary>
public sealed class GpioHx711Pins : IHx711Pins, IDisposable
{
    private readonly GpioController _controller;
    private readonly int _dataOutPin;
    private readonly int _clockPin;
    private readonly bool _ownsController;

    /// <param name="controller">GPIO controller (logical/BCM numbering).</param>
    /// <param name="dataOutPin">Pin wired to HX711 DOUT (input).</param>
    /// <param name="clockPin">Pin wired to HX711 PD_SCK (output, starts low so the chip is powered up).</param>
    /// <param name="ownsController">Dispose <paramref name="controller"/> with this object.</param>
    public GpioHx711Pins(GpioController controller, int dataOutPin, int clockPin, bool ownsController = false)
    {
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        _dataOutPin = dataOutPin;
        _clockPin = clockPin;
        _ownsController = ownsController;
        _controller.OpenPin(_dataOutPin, PinMode.Input);
        _controller.OpenPin(_clockPin, PinMode.Output, PinValue.Low);
    }

    /// <inheritdoc />
    public bool ReadDataOut() => _controller.Read(_dataOutPin) == PinValue.High;

    /// <inheritdoc />
    public void WriteClock(bool high) => _controller.Write(_clockPin, high ? PinValue.High : PinValue.Low);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsController)
        {
            _controller.Dispose();
            return;
        }

        _controller.ClosePin(_dataOutPin);
        _controller.ClosePin(_clockPin);
    }
}
