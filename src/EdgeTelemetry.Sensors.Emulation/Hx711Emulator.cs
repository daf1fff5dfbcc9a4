using EdgeTelemetry.Sensors.Hx711;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>HX711 input channels.</summary>
public enum Hx711Channel
{
    /// <summary>Channel A (gain 128 or 64): the load cell.</summary>
    A,

    /// <summary>Channel B (gain 32).</summary>
    B,
}

/// <summary>
/// The chip side of the HX711 serial protocol (Avia datasheet "Serial Interface"): DOUT high until a conversion is
/// ready, then low; each PD_SCK rising edge shifts out the next bit MSB first; the 25th pulse pulls DOUT high;
/// the pulse count (25/26/27) sets channel and gain for the next conversion. Fewer than 25 or more than 27 pulses
/// count as a protocol error. Codes come from a settable differential input voltage or an injected queue.
/// </summary>
public sealed class Hx711Emulator : IHx711Pins
{
    private readonly object _gate = new();
    private readonly Queue<int> _injected = new();
    private readonly double[] _inputVolts = new double[2];
    private bool _clockHigh;
    private int _pulses;
    private int _code;
    private bool _loaded;
    private Hx711Gain _programmedGain = Hx711Gain.ChannelA128;
    private int _lastPulseCount;
    private int _protocolErrors;
    private int _conversionsRead;

    /// <summary>AVDD; full scale is ±0.5·AVDD / gain.</summary>
    public double AnalogSupplyVolts { get; set; } = 5.0;

    /// <summary>False = no conversion ever becomes ready (DOUT stays high), for timeout tests.</summary>
    public bool ConversionsReady { get; set; } = true;

    /// <summary>Channel and gain of the conversion that will be read next.</summary>
    public Hx711Gain ProgrammedGain => Settled(() => _programmedGain);

    /// <summary>PD_SCK pulses of the last completed read.</summary>
    public int LastPulseCount => Settled(() => _lastPulseCount);

    /// <summary>Reads with a pulse count other than 25–27.</summary>
    public int ProtocolErrors => Settled(() => _protocolErrors);

    /// <summary>Completed reads.</summary>
    public int ConversionsRead => Settled(() => _conversionsRead);

    /// <summary>Sets the differential input voltage of a channel.</summary>
    public void SetInputVoltage(Hx711Channel channel, double volts)
    {
        lock (_gate)
        {
            _inputVolts[(int)channel] = volts;
        }
    }

    /// <summary>
    /// Puts a load on a bridge load cell on channel A: V = AVDD · (rated output mV/V ÷ 1000) · mass / capacity.
    /// </summary>
    public void SetLoadCell(double mass, double capacity, double ratedOutputMillivoltsPerVolt = 2.0) =>
        SetInputVoltage(Hx711Channel.A, AnalogSupplyVolts * ratedOutputMillivoltsPerVolt / 1000.0 * mass / capacity);

    /// <summary>Makes the next conversions return these codes (e.g. a glitch), before going back to the input voltage.</summary>
    public void InjectCodes(params int[] codes)
    {
        lock (_gate)
        {
            foreach (int code in codes)
            {
                _injected.Enqueue(code);
            }
        }
    }

    /// <summary>The code for <paramref name="volts"/> at <paramref name="gain"/>: round(V · gain / (0.5·AVDD) · 2²³), saturated.</summary>
    public int CodeFor(double volts, Hx711Gain gain)
    {
        double code = Math.Round(volts * gain.Factor() / (0.5 * AnalogSupplyVolts) * 8388608.0);
        return (int)Math.Clamp(code, Hx711.Hx711.MinCode, Hx711.Hx711.MaxCode);
    }

    /// <inheritdoc />
    public bool ReadDataOut()
    {
        lock (_gate)
        {
            SettleRead();

            if (_pulses == 0)
            {
                if (!ConversionsReady)
                {
                    return true;
                }

                LoadConversion();
                return false; // ready
            }

            if (_pulses > 24)
            {
                return true; // 25th pulse pulls DOUT high
            }

            return ((_code >> (24 - _pulses)) & 1) == 1;
        }
    }

    /// <inheritdoc />
    public void WriteClock(bool high)
    {
        lock (_gate)
        {
            if (high && !_clockHigh && (_pulses > 0 || (ConversionsReady && LoadConversion())))
            {
                _pulses++;
            }

            _clockHigh = high;
        }
    }

    private bool LoadConversion()
    {
        if (!_loaded)
        {
            int value = _injected.Count > 0
                ? _injected.Dequeue()
                : CodeFor(_inputVolts[_programmedGain == Hx711Gain.ChannelB32 ? 1 : 0], _programmedGain);
            _code = value & 0xFFFFFF;
            _loaded = true;
        }

        return true;
    }

    // The chip cannot know a read is over until PD_SCK stays low after the 25th–27th pulse; the emulator settles the
    // read when DOUT is next sampled or its counters are observed with the clock low.
    private void SettleRead()
    {
        if (_pulses < 25 || _clockHigh)
        {
            return;
        }

        _lastPulseCount = _pulses;
        if (_pulses <= 27)
        {
            _programmedGain = (Hx711Gain)_pulses;
        }
        else
        {
            _protocolErrors++;
        }

        _conversionsRead++;
        _pulses = 0;
        _loaded = false;
    }

    private T Settled<T>(Func<T> value)
    {
        lock (_gate)
        {
            SettleRead();
            return value();
        }
    }
}
