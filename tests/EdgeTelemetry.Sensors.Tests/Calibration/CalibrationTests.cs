namespace EdgeTelemetry.Sensors.Tests.Calibration;

using EdgeTelemetry.Sensors.Calibration;

public class CalibrationTests
{
    [Fact]
    public void LinearCalibration_FromTwoPoints_PassesThroughBothPoints()
    {
        // Zero at raw 812, span 50 °C at raw 4092: gain = 50 / 3280, offset = −gain · 812.
        var line = LinearCalibration.FromTwoPoints(812, 0, 4092, 50, "°C");

        Assert.Equal(0, line.Apply(812), 9);
        Assert.Equal(50, line.Apply(4092), 9);
        Assert.Equal(25, line.Apply((812 + 4092) / 2.0), 9);
        Assert.Equal("°C", line.Calibrate(812).Unit);
    }

    [Fact]
    public void LinearCalibration_TwoPointsWithTheSameRaw_Throws()
    {
        Assert.Throws<ArgumentException>(() => LinearCalibration.FromTwoPoints(1, 0, 1, 10, "bar"));
    }

    [Fact]
    public void PolynomialCalibration_EvaluatesAscendingCoefficients()
    {
        var poly = new PolynomialCalibration("kPa", 1, 2, 3);

        Assert.Equal(1 + 2 * 2 + 3 * 4, poly.Apply(2), 12);
        Assert.Equal(new Measured(17, "kPa", MeasurementQuality.Good), poly.Calibrate(2));
    }

    [Theory]
    [InlineData(0.0, MeasurementQuality.Fault)]      // wire break
    [InlineData(3.59, MeasurementQuality.Fault)]
    [InlineData(3.6, MeasurementQuality.Fault)]      // NE43: ≤ 3.6 mA is the failure signal
    [InlineData(3.61, MeasurementQuality.UnderRange)]
    [InlineData(3.79, MeasurementQuality.UnderRange)]
    [InlineData(3.8, MeasurementQuality.Good)]
    [InlineData(4.0, MeasurementQuality.Good)]
    [InlineData(20.0, MeasurementQuality.Good)]
    [InlineData(20.5, MeasurementQuality.Good)]
    [InlineData(20.51, MeasurementQuality.OverRange)]
    [InlineData(20.99, MeasurementQuality.OverRange)]
    [InlineData(21.0, MeasurementQuality.Fault)]     // NE43: ≥ 21 mA is the failure signal
    [InlineData(23.0, MeasurementQuality.Fault)]
    [InlineData(double.NaN, MeasurementQuality.Fault)]
    public void CurrentLoop_NamurNe43Bands(double milliamps, MeasurementQuality quality)
    {
        Measured m = new CurrentLoop(0, 16, "m³/h").FromMilliamps(milliamps);

        Assert.Equal(quality, m.Quality);
        Assert.Equal(quality != MeasurementQuality.Fault, m.HasValue);
        Assert.Equal("m³/h", m.Unit);
    }

    [Theory]
    [InlineData(4.0, 0.0)]
    [InlineData(12.0, 5.0)]
    [InlineData(20.0, 10.0)]
    [InlineData(3.8, -0.125)]   // NE43 extension below 0 %: (3.8 − 4) / 16 · 10
    [InlineData(20.5, 10.3125)] // (20.5 − 4) / 16 · 10
    public void CurrentLoop_ScalesLinearlyBetween4And20Milliamps(double milliamps, double bar)
    {
        Assert.Equal(bar, new CurrentLoop(0, 10, "bar").FromMilliamps(milliamps).Value!.Value, 9);
    }

    [Fact]
    public void CurrentLoop_Fault_CarriesNoValueAndSaysWhy()
    {
        Measured m = new CurrentLoop(0, 10, "bar").FromMilliamps(1.2);

        Assert.Null(m.Value);
        Assert.Contains("NE43", m.Detail);
    }

    [Theory]
    [InlineData(0.6, 4.0)]
    [InlineData(3.0, 20.0)]
    [InlineData(0.54, 3.6)]
    public void ShuntResistor_150Ohm_ConvertsVoltsToMilliamps(double volts, double milliamps)
    {
        Assert.Equal(milliamps, new ShuntResistor(150).MilliampsFrom(volts), 9); // I = V / R
    }

    [Fact]
    public void CurrentLoop_OpenLoopThroughShunt_IsAFault()
    {
        Assert.Equal(MeasurementQuality.Fault, new CurrentLoop(0, 10, "bar").FromShuntVoltage(0.0, new ShuntResistor(150)).Quality);
    }

    [Fact]
    public void VoltageDivider_10kOver4k7_Maps10VoltsIntoAdcRange()
    {
        var divider = new VoltageDivider(10_000, 4_700);

        Assert.Equal(14_700 / 4_700.0, divider.Ratio, 12);
        Assert.Equal(10 * 4_700 / 14_700.0, divider.AdcVolts(10), 12); // 3.197 V
        Assert.Equal(10, divider.InputVolts(divider.AdcVolts(10)), 12);
    }

    [Fact]
    public void CentrifugeGForce_ThirtyInchBowlAt400Rpm()
    {
        double diameter = 30 * 0.0254; // 0.762 m
        double omega = 2 * Math.PI * 400 / 60;

        double g = CentrifugeGForce.FromBowlDiameter(400, diameter);

        Assert.Equal(omega * omega * (diameter / 2) / 9.81, g, 9);
        Assert.InRange(g, 68, 68.2); // 41.888² · 0.381 / 9.81 = 68.1
    }

    [Fact]
    public void CentrifugeGForce_GrowsWithTheSquareOfRpm()
    {
        Assert.Equal(4 * CentrifugeGForce.FromRadius(300, 0.2), CentrifugeGForce.FromRadius(600, 0.2), 9);
    }

    [Fact]
    public void CentrifugeGForce_FromFaultedRpm_IsAFault()
    {
        Measured g = CentrifugeGForce.FromBowlDiameter(Measured.Faulted("rpm", "pickup lost"), 0.762);

        Assert.Equal(MeasurementQuality.Fault, g.Quality);
        Assert.Equal("g", g.Unit);
    }

    [Fact]
    public void FlowTotaliser_IntegratesRateOverTime_AndIgnoresNegativeRates()
    {
        var total = new FlowTotaliser(initialLitres: 100);

        Assert.True(total.AddFlow(12, TimeSpan.FromSeconds(30)));  // 6 L
        Assert.False(total.AddFlow(-5, TimeSpan.FromSeconds(30)));
        Assert.True(total.AddLitres(4));

        Assert.Equal(110, total.TotalLitres, 9);
        Assert.Equal(new Measured(0.11, "m³", MeasurementQuality.Good), total.TotalCubicMetres());
    }
}
