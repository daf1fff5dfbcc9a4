namespace EdgeTelemetry.Sensors.Emulation.Bme280Model;

/// <summary>
/// The emulator's model of the chip: it searches raw ADC values whose compensation gives the requested air, so it
/// needs the datasheet's forward formulas. Kept here, independent of the binding the agent reads through, so a
/// test of the binding against the emulator compares two transcriptions.
/// The datasheet's integer compensation formulas (BST-BME280-DS002 §4.2.3), transcribed operation for
/// operation: 32-bit temperature, 64-bit pressure, 32-bit humidity. C# int/long shifts are arithmetic and
/// overflow wraps, as the reference C code assumes.
/// </summary>
public static class Bme280Compensation
{
    /// <summary>t_fine, the fine temperature carried into the P and H formulas.</summary>
    public static int TemperatureFine(Bme280Calibration cal, int adcT)
    {
        int var1 = (((adcT >> 3) - (cal.DigT1 << 1)) * cal.DigT2) >> 11;
        int var2 = (((((adcT >> 4) - cal.DigT1) * ((adcT >> 4) - cal.DigT1)) >> 12) * cal.DigT3) >> 14;
        return var1 + var2;
    }

    /// <summary>BME280_compensate_T_int32: temperature in 0.01 °C ("5123" = 51.23 °C).</summary>
    public static int Temperature(int tFine) => (tFine * 5 + 128) >> 8;

    /// <summary>
    /// BME280_compensate_P_int64: pressure in Pa as unsigned Q24.8 ("24674867" = 24674867/256 = 96386.2 Pa).
    /// Returns 0 when the divisor is 0 (avoids a division by zero, as the datasheet code does).
    /// </summary>
    public static uint Pressure(Bme280Calibration cal, int adcP, int tFine)
    {
        long var1 = (long)tFine - 128000;
        long var2 = var1 * var1 * cal.DigP6;
        var2 += (var1 * cal.DigP5) << 17;
        var2 += (long)cal.DigP4 << 35;
        var1 = ((var1 * var1 * cal.DigP3) >> 8) + ((var1 * cal.DigP2) << 12);
        var1 = (((1L << 47) + var1) * cal.DigP1) >> 33;
        if (var1 == 0)
        {
            return 0;
        }

        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (cal.DigP9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (cal.DigP8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)cal.DigP7 << 4);
        return (uint)p;
    }

    /// <summary>BME280_compensate_H_int32: humidity in %RH as unsigned Q22.10 ("47445" = 47445/1024 = 46.333 %RH).</summary>
    public static uint Humidity(Bme280Calibration cal, int adcH, int tFine)
    {
        int v = tFine - 76800;
        v = ((((adcH << 14) - (cal.DigH4 << 20) - (cal.DigH5 * v)) + 16384) >> 15)
            * (((((((v * cal.DigH6) >> 10) * (((v * cal.DigH3) >> 11) + 32768)) >> 10) + 2097152) * cal.DigH2 + 8192) >> 14);
        v -= ((((v >> 15) * (v >> 15)) >> 7) * cal.DigH1) >> 4;
        v = Math.Clamp(v, 0, 419430400);
        return (uint)(v >> 12);
    }
}
