using EdgeTelemetry.Agent.Sensors;
using EdgeTelemetry.Model;
using UnitsNet;

namespace EdgeTelemetry.Agent.Tests.Sensors;

public class WireUnitsTests
{
    [Fact]
    public void Pressure_in_pascals_goes_on_the_wire_in_hectopascals()
    {
        var r = WireUnits.Reading("pressure", Pressure.FromPascals(100_653), 2);

        Assert.Equal(new Reading("pressure", 1006.53, Units.HectoPascal), r);
    }

    [Fact]
    public void Temperature_in_kelvins_goes_on_the_wire_in_celsius()
    {
        var r = WireUnits.Reading("temperature", Temperature.FromKelvins(298.23), 2);

        Assert.Equal(new Reading("temperature", 25.08, Units.Celsius), r);
    }

    [Fact]
    public void Mass_in_grams_goes_on_the_wire_in_kilograms()
    {
        Assert.Equal(new Reading("mass", 12.345, Units.Kilogram), WireUnits.Reading("mass", Mass.FromGrams(12_345), 3));
    }

    [Fact]
    public void Current_in_amperes_goes_on_the_wire_in_milliamperes()
    {
        Assert.Equal(new Reading("loop", 20, Units.MilliAmpere), WireUnits.Reading("loop", ElectricCurrent.FromAmperes(0.020), 3));
    }

    [Fact]
    public void Acceleration_in_metres_per_second_squared_goes_on_the_wire_in_standard_gravity()
    {
        Assert.Equal(new Reading("vibration", 1, Units.StandardGravity), WireUnits.Reading("vibration", Acceleration.FromMetersPerSecondSquared(9.80665), 3));
    }

    [Fact]
    public void Humidity_voltage_and_frequency_keep_their_catalogue_units()
    {
        Assert.Equal(Units.RelativeHumidity, WireUnits.Reading("humidity", RelativeHumidity.FromPercent(80), 1).Unit);
        Assert.Equal(new Reading("v", 2.5, Units.Volt), WireUnits.Reading("v", ElectricPotential.FromMillivolts(2500), 3));
        Assert.Equal(new Reading("f", 4.5, Units.Hertz), WireUnits.Reading("f", Frequency.FromCyclesPerMinute(270), 3));
    }
}
