namespace EdgeTelemetry.Sensors.Tests.Ds18b20;

using EdgeTelemetry.Sensors.Ds18b20;
using EdgeTelemetry.Sensors.Emulation;

public sealed class Ds18b20Tests : IDisposable
{
    private const string Sensor = "28-0316a2794cff";
    private readonly W1SysfsTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Binding_ReadsOnlyTheFixedSysfsPath_SoItCannotReadATreeElsewhere()
    {
        // A valid w1_slave file the kernel would write, under a root the agent was configured with.
        _tree.SetTemperature(Sensor, 23.125);
        var binding = new Iot.Device.OneWire.OneWireThermometerDevice("w1_bus_master1", Sensor);

        // Iot.Device.Bindings 4.2.0 joins its constant /sys/bus/w1/devices with bus and id: no root can be given.
        Assert.ThrowsAny<IOException>(() => binding.ReadTemperature());
        Assert.Equal(23.125, new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor).Celsius);
    }

    [Fact]
    public void EnumerateSensorIds_ListsOnlyFamily28Devices_Sorted()
    {
        _tree.SetTemperature("28-00000b", 20);
        _tree.SetTemperature("28-00000a", 21);
        _tree.AddOtherDevice("10-000802b4a7e9"); // DS18S20

        IReadOnlyList<string> ids = new Ds18b20Sysfs(_tree.Root).EnumerateSensorIds();

        Assert.Equal(["28-00000a", "28-00000b"], ids);
    }

    [Fact]
    public void EnumerateSensorIds_NoW1Bus_ReturnsEmpty()
    {
        Assert.Empty(new Ds18b20Sysfs(Path.Combine(_tree.Root, "absent")).EnumerateSensorIds());
    }

    [Theory]
    [InlineData(23.125, 23.125)]
    [InlineData(-10.125, -10.125)]
    [InlineData(0.0625, 0.062)] // raw 1 → w1_therm prints 1·1000/16 = 62 (integer division)
    public void ReadTemperature_ValidScratchpad_ReturnsMilliCelsiusOverThousand(double set, double expected)
    {
        _tree.SetTemperature(Sensor, set);

        Ds18b20Reading reading = new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor);

        Assert.True(reading.IsValid);
        Assert.Equal(expected, reading.Celsius);
    }

    [Fact]
    public void ReadTemperature_CrcNo_IsACrcFaultWithoutTemperature()
    {
        _tree.SetCrcFailure(Sensor);

        Ds18b20Reading reading = new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor);

        Assert.Equal(Ds18b20Fault.CrcMismatch, reading.Fault);
        Assert.Null(reading.Celsius);
    }

    [Fact]
    public void ReadTemperature_85000_IsThePowerOnFaultNotATemperature()
    {
        _tree.SetPowerOnValue(Sensor);

        Ds18b20Reading reading = new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor);

        Assert.Equal(Ds18b20Fault.PowerOnValue, reading.Fault);
        Assert.Null(reading.Celsius);
    }

    [Fact]
    public void ReadTemperature_AllZeroScratchpadPassingCrc_IsAFaultNotZeroDegrees()
    {
        _tree.SetZeroScratchpad(Sensor);

        Ds18b20Reading reading = new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor);

        Assert.Equal(Ds18b20Fault.ZeroScratchpad, reading.Fault);
        Assert.Null(reading.Celsius);
    }

    [Fact]
    public void ReadTemperature_MissingFileOrDirectory_IsAMissingFileFault()
    {
        _tree.SetTemperature("28-aaaa", 20);
        _tree.SetTemperature("28-bbbb", 20);
        _tree.RemoveW1Slave("28-aaaa");
        _tree.RemoveSensor("28-bbbb");
        var bus = new Ds18b20Sysfs(_tree.Root);

        Assert.Equal(Ds18b20Fault.MissingFile, bus.ReadTemperature("28-aaaa").Fault);
        Assert.Equal(Ds18b20Fault.MissingFile, bus.ReadTemperature("28-bbbb").Fault);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57\n")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 MAYBE\n72 01 4b 46 7f ff 0e 10 57 t=23125\n")]
    public void ReadTemperature_MalformedFile_IsAMalformedFault(string content)
    {
        _tree.WriteRaw(Sensor, content);

        Assert.Equal(Ds18b20Fault.Malformed, new Ds18b20Sysfs(_tree.Root).ReadTemperature(Sensor).Fault);
    }

    [Fact]
    public void Parse_TemperatureOutsideMinus55To125_IsOutOfRange()
    {
        var reading = Ds18b20Sysfs.Parse(Sensor, "00 08 4b 46 7f ff 00 10 00 : crc=00 YES\n00 08 4b 46 7f ff 00 10 00 t=128000\n");

        Assert.Equal(Ds18b20Fault.OutOfRange, reading.Fault);
    }

    [Fact]
    public async Task ReadTemperatureAsync_ReturnsTheSameReadingAsTheSyncRead()
    {
        _tree.SetTemperature(Sensor, 27.5);
        var bus = new Ds18b20Sysfs(_tree.Root);

        Assert.Equal(bus.ReadTemperature(Sensor), await bus.ReadTemperatureAsync(Sensor));
    }

    [Fact]
    public void Crc8_MatchesTheCrcBytesOfPublishedW1SlaveLines()
    {
        // Power-on scratchpad "50 05 4b 46 7f ff 0c 10 1c" and a 23.125 °C one "72 01 4b 46 7f ff 0e 10 57".
        Assert.Equal(0x1C, W1SysfsTree.Crc8([0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10]));
        Assert.Equal(0x57, W1SysfsTree.Crc8([0x72, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0E, 0x10]));
        Assert.Equal(0x00, W1SysfsTree.Crc8([0x72, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0E, 0x10, 0x57]));
    }
}
