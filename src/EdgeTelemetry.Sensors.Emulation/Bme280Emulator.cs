using System.Buffers.Binary;
using System.Device.I2c;
using EdgeTelemetry.Sensors.Emulation.Bme280Model;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// Register-level BME280 (Bosch BST-BME280-DS002): chip id, trimming registers, ctrl_hum latched on the ctrl_meas
/// write, forced mode with status.measuring set for the typical measurement time, 20/20/16-bit data registers and
/// skipped-measurement values. <see cref="SetEnvironment"/> finds raw ADC values by binary search so that the
/// datasheet compensation yields the requested °C / %RH / Pa.
/// </summary>
public sealed class Bme280Emulator : I2cDevice
{
    /// <summary>
    /// Trimming used unless another is given: T and P from the BMP280 datasheet's worked example (DS001 §3.12);
    /// H from a typical production BME280 (the datasheet publishes no humidity example).
    /// </summary>
    public static readonly Bme280Calibration DefaultCalibration = new(
        27504, 26435, -1000,
        36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
        75, 370, 0, 313, 50, 30);

    /// <summary>Address with SDO to GND (0x77 with SDO to VDDIO).</summary>
    public const int DefaultAddress = 0x76;

    private readonly object _gate = new();
    private readonly byte[] _registers = new byte[256];
    private readonly TimeProvider _time;
    private readonly I2cConnectionSettings _settings;
    private byte _pointer;
    private long? _measurementDoneAt;
    private (Oversampling T, Oversampling P, Oversampling H) _latched;
    private Bme280RawData _raw = new(519888, 415148, 30000);

    /// <param name="address">0x76 or 0x77.</param>
    /// <param name="calibration">Trimming to expose; <see cref="DefaultCalibration"/> if null.</param>
    /// <param name="time">Clock for measurement timing.</param>
    public Bme280Emulator(int address = DefaultAddress, Bme280Calibration? calibration = null, TimeProvider? time = null)
    {
        _settings = new I2cConnectionSettings(1, address);
        _time = time ?? TimeProvider.System;
        Calibration = calibration ?? DefaultCalibration;
        ChipId = 0x60; // §5.4.1
        EncodeCalibration(Calibration, _registers);
        Reset();
    }

    /// <summary>Trimming the registers hold.</summary>
    public Bme280Calibration Calibration { get; }

    /// <summary>Value of register 0xD0 (set 0x58 to pose as a BMP280).</summary>
    public byte ChipId
    {
        get => _registers[(int)Register.ChipId];
        set => _registers[(int)Register.ChipId] = value;
    }

    /// <summary>When true, a forced measurement never finishes (status.measuring stays 1).</summary>
    public bool StallMeasurements { get; set; }

    /// <summary>Forced measurements started so far.</summary>
    public int ForcedMeasurements { get; private set; }

    /// <summary>Raw ADC values the next measurement produces.</summary>
    public Bme280RawData RawAdc
    {
        get { lock (_gate) { return _raw; } }
    }

    /// <inheritdoc />
    public override I2cConnectionSettings ConnectionSettings => _settings;

    /// <summary>Sets raw ADC values directly (20-bit T and P, 16-bit H).</summary>
    public void SetRawAdc(int adcT, int adcP, int adcH)
    {
        lock (_gate)
        {
            _raw = new Bme280RawData(adcT, adcP, adcH);
        }
    }

    /// <summary>
    /// Sets the air the sensor sits in. Raw values are found by binary search over the monotonic compensation
    /// functions, so the driver reads back the nearest representable values (0.01 °C, 1/256 Pa, 1/1024 %RH).
    /// </summary>
    public void SetEnvironment(double celsius, double relativeHumidityPercent, double pascal)
    {
        int targetT = (int)Math.Round(celsius * 100);
        int adcT = LowerBound(0, 0xFFFFF, a => Bme280Compensation.Temperature(Bme280Compensation.TemperatureFine(Calibration, a)) >= targetT);
        int tFine = Bme280Compensation.TemperatureFine(Calibration, adcT);
        uint targetP = (uint)Math.Round(pascal * 256);
        int adcP = LowerBound(0, 0xFFFFF, a => Bme280Compensation.Pressure(Calibration, a, tFine) <= targetP);
        uint targetH = (uint)Math.Round(Math.Clamp(relativeHumidityPercent, 0, 100) * 1024);
        int adcH = LowerBound(0, 0xFFFF, a => Bme280Compensation.Humidity(Calibration, a, tFine) >= targetH);
        SetRawAdc(adcT, adcP, adcH);
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            if (buffer.Length == 1)
            {
                _pointer = buffer[0];
                return;
            }

            // §6.2.1: a multi-byte write is register/data pairs.
            for (int i = 0; i + 1 < buffer.Length; i += 2)
            {
                WriteRegister(buffer[i], buffer[i + 1]);
            }
        }
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            CompleteMeasurementIfDue();
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = _registers[(_pointer + i) & 0xFF]; // §6.2.2: auto-increment
            }
        }
    }

    /// <inheritdoc />
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void WriteRegister(byte register, byte value)
    {
        switch ((Register)register)
        {
            case Register.Reset when value == 0xB6:
                Reset();
                break;
            case Register.ControlHumidity:
                _registers[register] = (byte)(value & 0b111);
                break;
            case Register.Config:
                _registers[register] = value;
                break;
            case Register.ControlMeasurement:
                _registers[register] = value;
                int mode = value & 0b11;
                if (mode is 0b01 or 0b10)
                {
                    // ctrl_hum becomes effective only now (§5.4.3).
                    _latched = ((Oversampling)(value >> 5), (Oversampling)((value >> 2) & 0b111), (Oversampling)_registers[(int)Register.ControlHumidity]);
                    ForcedMeasurements++;
                    _measurementDoneAt = _time.GetTimestamp() + (long)(TypicalTime(_latched).TotalSeconds * _time.TimestampFrequency);
                    _registers[(int)Register.Status] |= 0b1000;
                }

                break;
        }
    }

    // §9.1: t_typ = 1 + 2·T_os + (2·P_os + 0.5) + (2·H_os + 0.5) ms.
    private static TimeSpan TypicalTime((Oversampling T, Oversampling P, Oversampling H) os)
    {
        double ms = 1 + 2 * os.T.Factor();
        ms += os.P == Oversampling.Skipped ? 0 : 2 * os.P.Factor() + 0.5;
        ms += os.H == Oversampling.Skipped ? 0 : 2 * os.H.Factor() + 0.5;
        return TimeSpan.FromMilliseconds(ms);
    }

    private void CompleteMeasurementIfDue()
    {
        if (_measurementDoneAt is not { } due || StallMeasurements || _time.GetTimestamp() < due)
        {
            return;
        }

        int t = _latched.T == Oversampling.Skipped ? Bme280RawData.SkippedTemperatureOrPressure : _raw.AdcT;
        int p = _latched.P == Oversampling.Skipped ? Bme280RawData.SkippedTemperatureOrPressure : _raw.AdcP;
        int h = _latched.H == Oversampling.Skipped ? Bme280RawData.SkippedHumidity : _raw.AdcH;
        Write20Bit(0xF7, p);
        Write20Bit(0xFA, t);
        _registers[0xFD] = (byte)(h >> 8);
        _registers[0xFE] = (byte)h;
        _registers[(int)Register.Status] &= 0b1111_0111;
        _registers[(int)Register.ControlMeasurement] &= 0b1111_1100; // forced mode returns to sleep
        _measurementDoneAt = null;
    }

    private void Write20Bit(int register, int value)
    {
        _registers[register] = (byte)(value >> 12);
        _registers[register + 1] = (byte)(value >> 4);
        _registers[register + 2] = (byte)((value & 0xF) << 4);
    }

    private void Reset()
    {
        // Reset values (§5.3, Table 18): control registers 0, data registers 0x80 00 00 / 0x80 00.
        foreach (int r in new[] { 0xF2, 0xF3, 0xF4, 0xF5 })
        {
            _registers[r] = 0;
        }

        Write20Bit(0xF7, Bme280RawData.SkippedTemperatureOrPressure);
        Write20Bit(0xFA, Bme280RawData.SkippedTemperatureOrPressure);
        _registers[0xFD] = 0x80;
        _registers[0xFE] = 0x00;
        _measurementDoneAt = null;
    }

    // Writes the trimming registers per §4.2.2 Table 16, independently of the driver's parser.
    private static void EncodeCalibration(Bme280Calibration c, byte[] r)
    {
        Span<byte> block1 = r.AsSpan(0x88, 26);
        ushort[] words =
        [
            c.DigT1, (ushort)c.DigT2, (ushort)c.DigT3, c.DigP1, (ushort)c.DigP2, (ushort)c.DigP3, (ushort)c.DigP4,
            (ushort)c.DigP5, (ushort)c.DigP6, (ushort)c.DigP7, (ushort)c.DigP8, (ushort)c.DigP9,
        ];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(block1[(2 * i)..], words[i]);
        }

        r[0xA1] = c.DigH1;
        BinaryPrimitives.WriteInt16LittleEndian(r.AsSpan(0xE1), c.DigH2);
        r[0xE3] = c.DigH3;
        r[0xE4] = (byte)(c.DigH4 >> 4);
        r[0xE5] = (byte)((c.DigH4 & 0x0F) | ((c.DigH5 & 0x0F) << 4));
        r[0xE6] = (byte)(c.DigH5 >> 4);
        r[0xE7] = (byte)c.DigH6;
    }

    // Smallest value in [low, high] for which the monotonic predicate holds (high if none).
    private static int LowerBound(int low, int high, Func<int, bool> predicate)
    {
        while (low < high)
        {
            int mid = low + (high - low) / 2;
            if (predicate(mid))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }
}
