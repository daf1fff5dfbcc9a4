namespace EdgeTelemetry.Sensors.Hx711;

/// <summary>
/// The two wires of the HX711's serial interface. Production uses <see cref="GpioHx711Pins"/>; an emulator
/// implements the chip's side of the protocol behind the same two calls.
/// </summary>
public interface IHx711Pins
{
    /// <summary>Level of DOUT: high = no data ready; after a PD_SCK rising edge, the next data bit.</summary>
    bool ReadDataOut();

    /// <summary>Drives PD_SCK. High for more than 60 µs powers the chip down.</summary>
    void WriteClock(bool high);
}
