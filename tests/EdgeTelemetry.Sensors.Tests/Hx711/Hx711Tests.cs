using System.Device.Gpio;

namespace EdgeTelemetry.Sensors.Tests.Hx711;

using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Hx711;

public class Hx711Tests
{
    [Fact]
    public async Task Binding_ChipNeverReady_WaitsForever_SoOursKeepsItsReadyTimeout()
    {
        const int Dout = 5, Sck = 6;
        var chip = new Hx711Emulator { ConversionsReady = false }; // DOUT stays high: unpowered or unplugged
        var driver = new EmulatedGpioDriver();
        driver.ConnectInput(Dout, chip.ReadDataOut);
        driver.ConnectOutput(Sck, chip.WriteClock);
        using var gpio = new GpioController(driver);
        using var binding = new Iot.Device.Hx711.Hx711(Dout, Sck, new Iot.Device.Hx711.Hx711Options(), gpio, shouldDispose: false);
        binding.SetConversionRatio(1);

        var read = Task.Run(() => binding.GetWeight(1));
        var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(1)));

        // Still polling DOUT after twice our 500 ms ready timeout: the binding has no timeout at all.
        Assert.NotSame(read, first);
        chip.ConversionsReady = true; // let the binding's polling thread finish
        await read;
        using var ours = new Hx711(new Hx711Emulator { ConversionsReady = false }, readyTimeout: TimeSpan.FromMilliseconds(20));
        Assert.Throws<TimeoutException>(() => ours.ReadRaw());
    }

    [Theory]
    [InlineData(0.005)]   // +5 mV
    [InlineData(-0.0123)] // −12.3 mV: negative two's complement
    public void ReadRaw_ReturnsSignExtendedCodeOfTheDifferentialInput(double volts)
    {
        var chip = new Hx711Emulator();
        chip.SetInputVoltage(Hx711Channel.A, volts);
        using var hx = new Hx711(chip);

        int raw = hx.ReadRaw();

        // Gain 128, AVDD 5 V: code = V · 128 / 2.5 · 2^23.
        Assert.Equal((int)Math.Round(volts * 128 / 2.5 * 8388608), raw);
    }

    [Fact]
    public void ReadRaw_Code0x800000_IsTheMostNegativeValue()
    {
        var chip = new Hx711Emulator();
        chip.InjectCodes(0x800000, 0xFFFFFF, 0x7FFFFF);
        using var hx = new Hx711(chip);

        Assert.Equal(-8388608, hx.ReadRaw());
        Assert.Equal(-1, hx.ReadRaw());
        Assert.Equal(8388607, hx.ReadRaw());
    }

    [Fact]
    public void ReadRaw_InputBeyondFullScale_SaturatesAtMaxCode()
    {
        var chip = new Hx711Emulator();
        chip.SetInputVoltage(Hx711Channel.A, 0.030); // > ±20 mV full scale at gain 128
        using var hx = new Hx711(chip);

        Assert.Equal(Hx711.MaxCode, hx.ReadRaw());
    }

    [Theory]
    [InlineData(Hx711Gain.ChannelA128, 25)]
    [InlineData(Hx711Gain.ChannelB32, 26)]
    [InlineData(Hx711Gain.ChannelA64, 27)]
    public void EachRead_SendsThePulseCountThatSelectsTheGain(Hx711Gain gain, int pulses)
    {
        var chip = new Hx711Emulator();
        using var hx = new Hx711(chip);

        hx.SelectGain(gain);
        hx.ReadRaw();

        Assert.Equal(pulses, chip.LastPulseCount);
        Assert.Equal(gain, chip.ProgrammedGain);
        Assert.Equal(0, chip.ProtocolErrors);
    }

    [Fact]
    public void SelectGain_DiscardsTheConversionTakenAtTheOldGain()
    {
        var chip = new Hx711Emulator();
        chip.SetInputVoltage(Hx711Channel.A, 0.004);
        chip.SetInputVoltage(Hx711Channel.B, 0.020);
        using var hx = new Hx711(chip);

        hx.SelectGain(Hx711Gain.ChannelB32);
        int raw = hx.ReadRaw();

        Assert.Equal(chip.CodeFor(0.020, Hx711Gain.ChannelB32), raw);
        Assert.Equal(2, chip.ConversionsRead);
    }

    [Fact]
    public void ReadRaw_ChipNeverReady_ThrowsTimeoutException()
    {
        var chip = new Hx711Emulator { ConversionsReady = false };
        using var hx = new Hx711(chip, readyTimeout: TimeSpan.FromMilliseconds(20));

        var error = Assert.Throws<TimeoutException>(() => hx.ReadRaw());

        Assert.Contains("DOUT", error.Message);
    }

    [Fact]
    public void ReadRaw_ThroughGpioControllerPins_ReadsTheSameCode()
    {
        var chip = new Hx711Emulator();
        chip.SetInputVoltage(Hx711Channel.A, 0.0075);
        var driver = new EmulatedGpioDriver();
        driver.ConnectInput(5, chip.ReadDataOut);
        driver.ConnectOutput(6, chip.WriteClock);
        using var gpio = new GpioController(driver);
        using var hx = new Hx711(new GpioHx711Pins(gpio, dataOutPin: 5, clockPin: 6));

        Assert.Equal(chip.CodeFor(0.0075, Hx711Gain.ChannelA128), hx.ReadRaw());
        Assert.Equal(25, chip.LastPulseCount);
    }

    [Fact]
    public void LoadCellScale_TareThenKnownMass_ReadsAnUnknownMass()
    {
        var chip = new Hx711Emulator();
        using var hx = new Hx711(chip);
        var scale = new LoadCellScale(hx, "kg");

        chip.SetLoadCell(mass: 0, capacity: 20);
        scale.Tare(samples: 5);
        chip.SetLoadCell(mass: 5, capacity: 20);
        scale.CalibrateWithKnownMass(5, samples: 5);
        chip.SetLoadCell(mass: 12.5, capacity: 20);
        LoadCellReading reading = scale.ReadWeight(samples: 5);

        // 20 kg, 2 mV/V cell at gain 128: 1 kg = 2 mV/V · 5 V / 20 · 128 / 2.5 · 2^23 / 5 V ≈ 41943 counts; ±1 count rounding.
        Assert.Equal(12.5, reading.Value, 3);
        Assert.Equal("kg", reading.Unit);
        Assert.Equal(0, reading.SamplesRejected);
    }

    [Fact]
    public void LoadCellScale_RejectsAGlitchedReadInsteadOfAveragingIt()
    {
        var chip = new Hx711Emulator();
        using var hx = new Hx711(chip);
        var scale = new LoadCellScale(hx, "kg");
        scale.SetCalibration(offset: 0, countsPerUnit: 1000);
        chip.InjectCodes(10_000, 10_002, 7_000_000, 9_998, 10_000);

        LoadCellReading reading = scale.ReadWeight(samples: 5);

        Assert.Equal(1, reading.SamplesRejected);
        Assert.Equal(4, reading.SamplesUsed);
        Assert.Equal((10_000 + 10_002 + 9_998 + 10_000) / 4.0 / 1000, reading.Value, 9);
    }

    [Fact]
    public void RobustMean_KeepsValuesWithin3_5ScaledMadsOfTheMedian()
    {
        // median 100, |deviations| = 0,2,2,4,60 → MAD 2 → limit 3.5 · 1.4826 · 2 = 10.4: 160 is dropped.
        var (mean, used, rejected, saturated) = LoadCellScale.RobustMean([100, 98, 102, 104, 160]);

        Assert.Equal((100 + 98 + 102 + 104) / 4.0, mean, 9);
        Assert.Equal(4, used);
        Assert.Equal(1, rejected);
        Assert.False(saturated);
    }

    [Fact]
    public void LoadCellScale_SaturatedConversions_AreFlagged()
    {
        var chip = new Hx711Emulator();
        chip.SetInputVoltage(Hx711Channel.A, 0.05);
        using var hx = new Hx711(chip);

        LoadCellReading reading = new LoadCellScale(hx).ReadWeight(samples: 3);

        Assert.True(reading.Saturated);
    }
}
