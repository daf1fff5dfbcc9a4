using System.Diagnostics;

namespace EdgeTelemetry.Sensors.Hx711;

/// <summary>
/// Avia HX711 24-bit load-cell ADC, bit-banged over DOUT / PD_SCK (datasheet "Serial Interface", Fig. 2, Table 3).
/// Protocol: DOUT high = not ready; DOUT low = a conversion is ready. Each PD_SCK pulse shifts out one bit,
/// MSB first, 24 bits of two's complement (0x800000 … 0x7FFFFF). 1–3 further pulses (25/26/27 in total)
/// select input and gain for the next conversion.
/// </summary>
public sealed class Hx711 : IDisposable
{
    /// <summary>Smallest code (−FS, also what the chip outputs when the input is below range).</summary>
    public const int MinCode = -0x800000;

    /// <summary>Largest code (+FS, also what the chip outputs when the input is above range).</summary>
    public const int MaxCode = 0x7FFFFF;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    private readonly IHx711Pins _pins;
    private readonly bool _ownsPins;

    /// <param name="pins">DOUT / PD_SCK access.</param>
    /// <param name="readyTimeout">
    /// How long <see cref="ReadRaw()"/> waits for DOUT to go low. Default 500 ms: at 10 SPS a conversion takes 100 ms,
    /// and after power-up or a channel change the output settles within 400 ms (datasheet "Output settling time").
    /// </param>
    /// <param name="ownsPins">Dispose <paramref name="pins"/> with this driver, if it is disposable.</param>
    public Hx711(IHx711Pins pins, TimeSpan? readyTimeout = null, bool ownsPins = true)
    {
        _pins = pins ?? throw new ArgumentNullException(nameof(pins));
        _ownsPins = ownsPins;
        ReadyTimeout = readyTimeout ?? TimeSpan.FromMilliseconds(500);
        _pins.WriteClock(false);
    }

    /// <summary>How long a read waits for the chip to become ready.</summary>
    public TimeSpan ReadyTimeout { get; }

    /// <summary>Gain and channel the driver requests for every following conversion.</summary>
    public Hx711Gain Gain { get; private set; } = Hx711Gain.ChannelA128;

    /// <summary>True when DOUT is low (a conversion is waiting to be read).</summary>
    public bool IsReady() => !_pins.ReadDataOut();

    /// <summary>
    /// Changes channel/gain. The chip applies it to the conversion after the next read, so this performs one
    /// read to program it and discards that (old-gain) result.
    /// </summary>
    public void SelectGain(Hx711Gain gain)
    {
        Gain = gain;
        _ = ReadRaw();
    }

    /// <summary>Waits for DOUT low, clocks out 24 bits and 1–3 gain pulses, and returns the signed code.</summary>
    /// <exception cref="TimeoutException">DOUT stayed high for longer than <see cref="ReadyTimeout"/>.</exception>
    public int ReadRaw()
    {
        WaitUntilReady();

        int value = 0;
        for (int bit = 0; bit < 24; bit++)
        {
            // Data is valid ≤ 0.1 µs after the rising edge (T2); PD_SCK high time must stay < 50 µs (T3).
            _pins.WriteClock(true);
            value = (value << 1) | (_pins.ReadDataOut() ? 1 : 0);
            _pins.WriteClock(false);
        }

        for (int pulse = 24; pulse < (int)Gain; pulse++)
        {
            _pins.WriteClock(true);
            _pins.WriteClock(false);
        }

        return (value << 8) >> 8; // sign-extend 24-bit two's complement
    }

    /// <summary>PD_SCK high for more than 60 µs puts the chip in power-down (datasheet "Power down").</summary>
    public void PowerDown()
    {
        _pins.WriteClock(false);
        _pins.WriteClock(true);
        Thread.Sleep(1); // ≥ 60 µs
    }

    /// <summary>
    /// PD_SCK low wakes the chip, which resets to channel A, gain 128 (datasheet "Power down"). When another gain is
    /// selected, one read re-programs it and is discarded.
    /// </summary>
    public void PowerUp()
    {
        _pins.WriteClock(false);
        if (Gain != Hx711Gain.ChannelA128)
        {
            SelectGain(Gain);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsPins && _pins is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private void WaitUntilReady()
    {
        var elapsed = Stopwatch.StartNew();
        while (_pins.ReadDataOut())
        {
            if (elapsed.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException(
                    $"HX711: DOUT stayed high (no conversion ready) for {ReadyTimeout.TotalMilliseconds:0} ms. " +
                    "Check power, wiring and that PD_SCK is low.");
            }

            Thread.Sleep(PollInterval);
        }
    }
}
