using System.Buffers.Binary;
using System.Device.I2c;
using EdgeTelemetry.Sensors.Ads1115;
using EdgeTelemetry.Sensors.Emulation.Ads1115Model;
using Iot.Device.Ads1115;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// Register-level ADS1115 (TI SBAS444): address pointer, config register with the OS bit that reads 0 while a
/// single-shot conversion runs (1 / DR of emulated time) and 1 after, and a conversion register computed from
/// settable input voltages with the PGA's clipping at 0x7FFF / 0x8000.
/// </summary>
public sealed class Ads1115Emulator : I2cDevice
{
    private readonly object _gate = new();
    private readonly double[] _inputs = new double[4];
    private readonly TimeProvider _time;
    private readonly I2cConnectionSettings _settings;
    private Register _pointer = Register.Conversion;
    private ushort _config = ConfigRegister.ResetValue;
    private ushort _lowThreshold = 0x8000;
    private ushort _highThreshold = 0x7FFF;
    private short _conversion;
    private short _pendingCode;
    private long? _conversionDoneAt;

    /// <param name="address">I2C address it answers to (0x48–0x4B).</param>
    /// <param name="time">Clock for conversion timing; <see cref="TimeProvider.System"/> by default.</param>
    public Ads1115Emulator(int address = (int)Ads1115Address.Ground, TimeProvider? time = null)
    {
        _settings = new I2cConnectionSettings(1, address);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>When true, a started conversion never finishes (OS stays 0): for timeout tests.</summary>
    public bool StallConversions { get; set; }

    /// <summary>Single-shot conversions started so far.</summary>
    public int ConversionsStarted { get; private set; }

    /// <summary>The config word last written (OS bit as written).</summary>
    public ushort LastWrittenConfig { get; private set; } = ConfigRegister.ResetValue;

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings => _settings;

    /// <summary>Sets the voltage on AIN0–AIN3 against GND.</summary>
    public void SetInputVoltage(int channel, double volts)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)channel, 3u, nameof(channel));
        lock (_gate)
        {
            _inputs[channel] = volts;
        }
    }

    /// <summary>The code the ADC produces for <paramref name="volts"/> at <paramref name="range"/>: round(V / FS · 32768), clipped.</summary>
    public static short CodeFor(double volts, MeasuringRange range)
    {
        double code = Math.Round(volts / range.FullScaleVolts() * 32768.0);
        return (short)Math.Clamp(code, short.MinValue, short.MaxValue);
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            _pointer = (Register)(buffer[0] & 0b11);
            if (buffer.Length >= 3)
            {
                WriteRegister(_pointer, BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]));
            }
        }
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            Span<byte> value = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(value, ReadRegister(_pointer));
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = value[i % 2];
            }
        }
    }

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void WriteRegister(Register register, ushort value)
    {
        switch (register)
        {
            case Register.Config:
                LastWrittenConfig = value;
                bool start = ConfigRegister.IsIdle(value) && ConfigRegister.IsSingleShot(value) && _conversionDoneAt is null;
                _config = (ushort)(value & ~ConfigRegister.OperationalStatus);
                if (start)
                {
                    ConversionsStarted++;
                    _pendingCode = Sample(_config);
                    _conversionDoneAt = _time.GetTimestamp() + (long)(ConfigRegister.Rate(_config).ConversionTime().TotalSeconds * _time.TimestampFrequency);
                }

                break;
            case Register.LowThreshold:
                _lowThreshold = value;
                break;
            case Register.HighThreshold:
                _highThreshold = value;
                break;
        }
    }

    private ushort ReadRegister(Register register)
    {
        CompleteConversionIfDue();
        return register switch
        {
            Register.Conversion => ConfigRegister.IsSingleShot(_config) ? (ushort)_conversion : (ushort)Sample(_config),
            Register.Config => (ushort)(_config | (_conversionDoneAt is null ? ConfigRegister.OperationalStatus : 0)),
            Register.LowThreshold => _lowThreshold,
            _ => _highThreshold,
        };
    }

    private void CompleteConversionIfDue()
    {
        if (_conversionDoneAt is { } due && !StallConversions && _time.GetTimestamp() >= due)
        {
            _conversion = _pendingCode;
            _conversionDoneAt = null;
        }
    }

    private short Sample(ushort config)
    {
        var (positive, negative) = ConfigRegister.Multiplexer(config).Channels();
        double volts = _inputs[positive] - (negative is { } n ? _inputs[n] : 0.0);
        return CodeFor(volts, ConfigRegister.Range(config));
    }
}
