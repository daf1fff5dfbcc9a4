namespace EdgeTelemetry.Sensors.Tests.Bme280;

using EdgeTelemetry.Sensors.Bme280;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Emulation.Bme280Model;

public class Bme280Tests
{
    // Worked example of the compensation formulas: BMP280 datasheet (BST-BMP280-DS001) §3.12, whose T and P formulas
    // are the BME280's (BST-BME280-DS002 §4.2.3). Humidity trimming is not part of the example.
    private static readonly Bme280Calibration DatasheetExample = new(
        27504, 26435, -1000,
        36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
        0, 0, 0, 0, 0, 0);

    [Fact]
    public void Compensation_DatasheetExample_AdcT519888GivesTFine128422And25_08Celsius()
    {
        int tFine = Bme280Compensation.TemperatureFine(DatasheetExample, 519888);

        // var1 = ((519888>>3) − 27504·2) · 26435 >> 11 = 9978 · 26435 >> 11 = 128793
        // var2 = ((519888>>4) − 27504)² >> 12 · (−1000) >> 14 = 6076 · (−1000) >> 14 = −371
        Assert.Equal(128793 - 371, tFine);
        Assert.Equal(2508, Bme280Compensation.Temperature(tFine)); // (128422·5 + 128) >> 8
    }

    [Fact]
    public void Compensation_DatasheetExample_AdcP415148Gives100653Pascal()
    {
        int tFine = Bme280Compensation.TemperatureFine(DatasheetExample, 519888);

        uint q24_8 = Bme280Compensation.Pressure(DatasheetExample, 415148, tFine);

        // Published: 100653.27 Pa (double formula) and 100653 Pa (integer); the 64-bit result is Q24.8.
        Assert.Equal(100653, (int)(q24_8 / 256));
        Assert.InRange(q24_8 / 256.0, 100653.0, 100654.0);
    }

    [Fact]
    public void Compensation_HumidityIsClampedTo0And100Percent()
    {
        var cal = Bme280Emulator.DefaultCalibration;
        int tFine = Bme280Compensation.TemperatureFine(cal, 519888);

        Assert.Equal(0u, Bme280Compensation.Humidity(cal, 0, tFine));
        Assert.Equal(100u * 1024, Bme280Compensation.Humidity(cal, 0xFFFF, tFine)); // 419430400 >> 12
    }

    [Theory]
    [InlineData(20000)]
    [InlineData(30000)]
    [InlineData(40000)]
    public void Compensation_Int32Humidity_AgreesWithTheDatasheetsDoubleFormula(int adcH)
    {
        var c = Bme280Emulator.DefaultCalibration;
        int tFine = Bme280Compensation.TemperatureFine(c, 519888);

        // BST-BME280-DS002 §8.1, floating-point humidity: an independent transcription to check the integer one.
        double v = tFine - 76800.0;
        v = (adcH - (c.DigH4 * 64.0 + c.DigH5 / 16384.0 * v))
            * (c.DigH2 / 65536.0 * (1.0 + c.DigH6 / 67108864.0 * v * (1.0 + c.DigH3 / 67108864.0 * v)));
        v *= 1.0 - c.DigH1 * v / 524288.0;
        double expected = Math.Clamp(v, 0, 100);

        Assert.Equal(expected, Bme280Compensation.Humidity(c, adcH, tFine) / 1024.0, 1);
    }

    [Fact]
    public void Binding_DatasheetExample_ReadsTheRegistersAs25_08CelsiusAnd100653Pascal()
    {
        var emulator = new Bme280Emulator(calibration: DatasheetExample);
        emulator.SetRawAdc(adcT: 519888, adcP: 415148, adcH: 30000);
        using var bme = new Bme280AirSensor(emulator);

        AirConditions air = bme.Read();

        // The binding's temperature is the datasheet's double formula (25.082 °C), its pressure the 64-bit one.
        Assert.Equal(25.08, air.Temperature.DegreesCelsius, 2);
        Assert.Equal(100653, (int)air.Pressure.Pascals);
    }

    [Fact]
    public void Binding_PositiveNibblePackedH4AndH5_HumidityMatchesTheDatasheetModel()
    {
        var trimming = Bme280Emulator.DefaultCalibration with { DigH4 = 300, DigH5 = 50, DigH6 = 30 };
        var emulator = new Bme280Emulator(calibration: trimming);
        emulator.SetRawAdc(519888, 415148, 30000);
        using var bme = new Bme280AirSensor(emulator);

        AirConditions air = bme.Read();

        int tFine = Bme280Compensation.TemperatureFine(trimming, 519888);
        double expected = Bme280Compensation.Humidity(trimming, 30000, tFine) / 1024.0;
        Assert.True(bme.HumidityTrimmingReadable);
        Assert.Equal(expected, air.Humidity!.Value.Percent, 1);
    }

    [Fact]
    public void Binding_NegativeDigH5_IsReadUnsigned_SoOurSensorWithholdsHumidity()
    {
        var trimming = Bme280Emulator.DefaultCalibration with { DigH4 = 300, DigH5 = -7, DigH6 = 30 };
        var emulator = new Bme280Emulator(calibration: trimming);
        emulator.SetRawAdc(519888, 415148, 30000);
        int tFine = Bme280Compensation.TemperatureFine(trimming, 519888);
        double datasheet = Bme280Compensation.Humidity(trimming, 30000, tFine) / 1024.0;

        // The binding on its own: dig_H5 = −7 is read as 4089 and the %RH is far off (clamped to 0 here).
        using (var binding = new Iot.Device.Bmxx80.Bme280(new Bme280Emulator(calibration: trimming)))
        {
            Assert.True(Math.Abs(binding.Read().Humidity!.Value.Percent - datasheet) > 10);
        }

        using var bme = new Bme280AirSensor(emulator);
        AirConditions air = bme.Read();

        Assert.False(bme.HumidityTrimmingReadable);
        Assert.Null(air.Humidity);
        Assert.Equal(25.08, air.Temperature.DegreesCelsius, 2); // T and P trimming are whole words: unaffected
    }

    [Fact]
    public void Binding_ChipId0x58_RefusesTheBmp280()
    {
        var emulator = new Bme280Emulator { ChipId = 0x58 };

        Assert.ThrowsAny<IOException>(() => new Bme280AirSensor(emulator));
    }

    [Fact]
    public void Read_ReturnsTheEnvironmentSetOnTheEmulator_AsQuantities()
    {
        var emulator = new Bme280Emulator();
        emulator.SetEnvironment(celsius: 31.5, relativeHumidityPercent: 85.0, pascal: 99_200);
        using var bme = new Bme280AirSensor(emulator);

        AirConditions air = bme.Read();

        Assert.Equal(31.5, air.Temperature.DegreesCelsius, 1);
        Assert.InRange(air.Humidity!.Value.Percent, 84.9, 85.1); // binding: double formula, emulator: integer one
        Assert.InRange(air.Pressure.Pascals, 99_199.0, 99_201.0);
        Assert.Equal(1, emulator.ForcedMeasurements);
    }

    [Fact]
    public void Read_EachCallIsOneForcedConversion_SoANewEnvironmentIsSeen()
    {
        var emulator = new Bme280Emulator();
        using var bme = new Bme280AirSensor(emulator);
        emulator.SetEnvironment(20, 50, 100_000);
        bme.Read();
        emulator.SetEnvironment(35, 90, 98_000);

        AirConditions air = bme.Read();

        Assert.Equal(35, air.Temperature.DegreesCelsius, 1);
        Assert.Equal(2, emulator.ForcedMeasurements);
    }
}
