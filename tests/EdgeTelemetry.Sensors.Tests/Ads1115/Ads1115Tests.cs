namespace EdgeTelemetry.Sensors.Tests.Ads1115;

using EdgeTelemetry.Sensors.Ads1115;
using EdgeTelemetry.Sensors.Calibration;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Emulation.Ads1115Model;
using Iot.Device.Ads1115;

public class Ads1115Tests
{
    [Theory]
    [InlineData(MeasuringRange.FS6144, 3.3)]
    [InlineData(MeasuringRange.FS4096, 1.234)]
    [InlineData(MeasuringRange.FS2048, 0.6)]
    [InlineData(MeasuringRange.FS0256, 0.1)]
    public void ReadVoltage_SingleEndedInput_MatchesInputWithinHalfAnLsb(MeasuringRange range, double volts)
    {
        var emulator = new Ads1115Emulator();
        emulator.SetInputVoltage(2, volts);
        using var adc = new Ads1115Channels(emulator);

        double measured = adc.Read(InputMultiplexer.AIN2, range, DataRate.SPS860).Voltage.Volts;

        double lsb = range.FullScaleVolts() / 32768; // SBAS444 §9.3.3
        Assert.InRange(measured, volts - lsb / 2, volts + lsb / 2);
    }

    [Fact]
    public void Read_DifferentialAIN0_AIN1_MeasuresPositiveMinusNegativeInput()
    {
        var emulator = new Ads1115Emulator();
        emulator.SetInputVoltage(0, 1.5);
        emulator.SetInputVoltage(1, 2.0);
        using var adc = new Ads1115Channels(emulator);

        AdcReading reading = adc.Read(InputMultiplexer.AIN0_AIN1, MeasuringRange.FS2048, DataRate.SPS860);

        // −0.5 V at ±2.048 V: −0.5 / 2.048 · 32768 = −8000 exactly.
        Assert.Equal(-8000, reading.Raw);
        Assert.Equal(-0.5, reading.Voltage.Volts, 9);
        Assert.False(reading.IsClipped);
    }

    [Fact]
    public void Read_InputAboveFullScale_ClipsAt7FFFAndFlagsClipping()
    {
        var emulator = new Ads1115Emulator();
        emulator.SetInputVoltage(0, 3.0);
        using var adc = new Ads1115Channels(emulator);

        AdcReading reading = adc.Read(InputMultiplexer.AIN0, MeasuringRange.FS2048, DataRate.SPS860);

        Assert.Equal(0x7FFF, reading.Raw);
        Assert.True(reading.IsClipped);
        Assert.Equal(2.048 * 32767 / 32768, reading.Voltage.Volts, 9);
    }

    [Fact]
    public void Read_DifferentialBelowNegativeFullScale_ClipsAt8000()
    {
        var emulator = new Ads1115Emulator();
        emulator.SetInputVoltage(3, 1.0);
        using var adc = new Ads1115Channels(emulator);

        AdcReading reading = adc.Read(InputMultiplexer.AIN2_AIN3, MeasuringRange.FS0512, DataRate.SPS860);

        Assert.Equal(short.MinValue, reading.Raw);
        Assert.True(reading.IsClipped);
        Assert.Equal(-0.512, reading.Voltage.Volts, 9);
    }

    [Fact]
    public void Binding_Read_WritesSingleShotConfigWithOsBitMuxPgaModeRateAndComparatorDisabled()
    {
        var emulator = new Ads1115Emulator();
        using var adc = new Ads1115Channels(emulator);
        int startedByConstructor = emulator.ConversionsStarted; // the binding converts once to settle its config

        adc.Read(InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860);

        // OS=1 (bit 15), MUX=100 (14:12), PGA=001 (11:9), MODE=1 (8), DR=111 (7:5), COMP_QUE=11 (1:0).
        int expected = 1 << 15 | 0b100 << 12 | 0b001 << 9 | 1 << 8 | 0b111 << 5 | 0b11;
        Assert.Equal(expected, emulator.LastWrittenConfig);
        Assert.Equal(startedByConstructor + 1, emulator.ConversionsStarted);
    }

    [Fact]
    public void Binding_RepeatedReadOfTheSameInput_StartsAFreshConversionEachTime()
    {
        var emulator = new Ads1115Emulator();
        using var adc = new Ads1115Channels(emulator);
        emulator.SetInputVoltage(1, 1.0);
        adc.Read(InputMultiplexer.AIN1, MeasuringRange.FS2048, DataRate.SPS860);
        emulator.SetInputVoltage(1, 0.5);

        AdcReading reading = adc.Read(InputMultiplexer.AIN1, MeasuringRange.FS2048, DataRate.SPS860);

        Assert.Equal(8000, reading.Raw); // 0.5 / 2.048 · 32768, not the stale 16000
    }

    [Fact]
    public void Emulator_OsBitReadsZeroUntilOneConversionPeriodHasPassed()
    {
        var clock = new ManualClock();
        var emulator = new Ads1115Emulator(time: clock);
        emulator.SetInputVoltage(0, 1.0);
        ushort config = ConfigRegister.SingleShot(InputMultiplexer.AIN0, MeasuringRange.FS2048, DataRate.SPS008);
        emulator.Write([(byte)Register.Config, (byte)(config >> 8), (byte)config]);

        Assert.False(ConfigRegister.IsIdle(ReadRegister(emulator, Register.Config)));
        clock.Advance(TimeSpan.FromMilliseconds(124)); // 1/8 SPS = 125 ms
        Assert.False(ConfigRegister.IsIdle(ReadRegister(emulator, Register.Config)));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(ConfigRegister.IsIdle(ReadRegister(emulator, Register.Config)));
        Assert.Equal(16000, (short)ReadRegister(emulator, Register.Conversion)); // 1.0 / 2.048 · 32768
    }

    [Fact]
    public void Binding_ConversionNeverFinishes_ThrowsTimeoutException()
    {
        var emulator = new Ads1115Emulator();
        using var adc = new Ads1115Channels(emulator);
        emulator.StallConversions = true;

        Assert.Throws<TimeoutException>(() => adc.Read(InputMultiplexer.AIN1, MeasuringRange.FS4096, DataRate.SPS860));
    }

    [Fact]
    public void Dispose_OnAHungChip_DoesNotThrow_ThoughTheBindingsDisposeWaitsForAConversion()
    {
        var emulator = new Ads1115Emulator();
        var adc = new Ads1115Channels(emulator);
        emulator.StallConversions = true;

        var error = Record.Exception(adc.Dispose);

        Assert.Null(error);
    }

    [Fact]
    public void FourToTwentyMilliampLoop_ThroughA150OhmShunt_ReadsEngineeringValue()
    {
        var shunt = new ShuntResistor(150);
        var loop = new CurrentLoop(0, 10, "bar");
        var emulator = new Ads1115Emulator();
        emulator.SetInputVoltage(0, shunt.VoltsAt(12.0)); // 1.8 V
        using var adc = new Ads1115Channels(emulator);

        Measured pressure = loop.FromShuntVoltage(adc.Read(InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860).Voltage.Volts, shunt);

        // 12 mA is 50 % of span; one LSB (125 µV) is 0.83 µA, i.e. 0.0005 bar.
        Assert.Equal(MeasurementQuality.Good, pressure.Quality);
        Assert.Equal(5.0, pressure.Value!.Value, 3);
        Assert.Equal("bar", pressure.Unit);
    }

    private static ushort ReadRegister(Ads1115Emulator emulator, Register register)
    {
        byte[] value = new byte[2];
        emulator.WriteRead([(byte)register], value);
        return (ushort)(value[0] << 8 | value[1]);
    }
}
