namespace EdgeTelemetry.Sensors.Tests.Bme280;

using EdgeTelemetry.Sensors.Bme280;
using EdgeTelemetry.Sensors.Emulation;

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
    public void Constructor_ReadsTrimmingRegisters_IncludingSignedNibblePackedH4AndH5()
    {
        var trimming = Bme280Emulator.DefaultCalibration with { DigH4 = -100, DigH5 = -7, DigH6 = -30, DigH2 = -2 };
        using var bme = new Bme280(new Bme280Emulator(calibration: trimming));

        Assert.Equal(trimming, bme.Calibration);
    }

    [Fact]
    public void Constructor_ChipId0x58_ThrowsNamingTheBmp280()
    {
        var emulator = new Bme280Emulator { ChipId = 0x58 };

        var error = Assert.Throws<InvalidOperationException>(() => new Bme280(emulator));

        Assert.Contains("0x58", error.Message);
        Assert.Contains("BMP280", error.Message);
    }

    [Fact]
    public void ReadForced_ReturnsTheEnvironmentSetOnTheEmulator()
    {
        var emulator = new Bme280Emulator();
        emulator.SetEnvironment(celsius: 31.5, relativeHumidityPercent: 85.0, pascal: 99_200);
        using var bme = new Bme280(emulator);

        Bme280Reading reading = bme.ReadForced();

        Assert.Equal(31.5, reading.TemperatureCelsius, 2);           // 0.01 °C steps
        Assert.InRange(reading.RelativeHumidityPercent, 84.99, 85.01); // 1/1024 %RH steps
        Assert.InRange(reading.PressurePascal, 99_199.0, 99_201.0);
        Assert.Equal(1, emulator.ForcedMeasurements);
    }

    [Fact]
    public void ReadForcedRaw_WritesCtrlHumBeforeCtrlMeas_SoHumidityIsNotSkipped()
    {
        var emulator = new Bme280Emulator();
        emulator.SetRawAdc(500000, 400000, 31000);
        using var bme = new Bme280(emulator);

        Bme280RawData raw = bme.ReadForcedRaw(Oversampling.X2, Oversampling.X4, Oversampling.X1);

        Assert.Equal(new Bme280RawData(500000, 400000, 31000), raw);
    }

    [Fact]
    public void ReadForcedRaw_SkippedPressure_ReadsTheDatasheetSkipValue0x80000()
    {
        var emulator = new Bme280Emulator();
        using var bme = new Bme280(emulator);

        Bme280RawData raw = bme.ReadForcedRaw(Oversampling.X1, Oversampling.Skipped, Oversampling.X1);

        Assert.Equal(Bme280RawData.SkippedTemperatureOrPressure, raw.AdcP);
    }

    [Fact]
    public void ReadForced_MeasurementNeverFinishes_ThrowsTimeoutException()
    {
        var emulator = new Bme280Emulator { StallMeasurements = true };
        using var bme = new Bme280(emulator);

        var error = Assert.Throws<TimeoutException>(() => bme.ReadForced());

        Assert.Contains("0x76", error.Message);
    }

    [Fact]
    public void MaxMeasurementTime_AtX1Everywhere_Is9_3Milliseconds()
    {
        // §9.1: 1.25 + 2.3·1 + (2.3·1 + 0.575) + (2.3·1 + 0.575) = 9.3 ms.
        TimeSpan t = Bme280.MaxMeasurementTime(Oversampling.X1, Oversampling.X1, Oversampling.X1);

        Assert.Equal(9.3, t.TotalMilliseconds, 6);
    }

    [Fact]
    public void RawDataFromBurst_Unpacks20BitPressureAndTemperatureAnd16BitHumidity()
    {
        // adc_P = 0x65A5C (415324), adc_T = 0x7EED0 (519888), adc_H = 0x7530 (30000).
        byte[] burst = [0x65, 0xA5, 0xC0, 0x7E, 0xED, 0x00, 0x75, 0x30];

        Bme280RawData raw = Bme280RawData.FromBurst(burst);

        Assert.Equal(new Bme280RawData(519888, 0x65A5C, 30000), raw);
    }
}
