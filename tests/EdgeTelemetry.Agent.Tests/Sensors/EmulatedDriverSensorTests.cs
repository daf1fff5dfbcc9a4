using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors;
using EdgeTelemetry.Agent.Sensors.Ads1115;
using EdgeTelemetry.Agent.Sensors.Bme280;
using EdgeTelemetry.Agent.Sensors.Ds18b20;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Agent.Sensors.Hx711;
using EdgeTelemetry.Agent.Sensors.MercuryAnalyser;
using EdgeTelemetry.Agent.Sensors.Mpu6050;
using EdgeTelemetry.Agent.Sensors.Pulse;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTelemetry.Agent.Tests.Sensors;

/// <summary>
/// Each driver adapter on emulated hardware: the physical value goes into a register-level
/// emulator, the real driver reads it back, and the adapter must report it in the right unit.
/// </summary>
public class EmulatedDriverSensorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static SensorContext Context(string measurement, Dictionary<string, double> physics, double? bowlMm = null, int intervalMs = 1000) =>
        new(measurement, "eq-1", TimeSpan.FromMilliseconds(intervalMs), (channel, _) => physics.TryGetValue(channel, out var v) ? v : null, bowlMm, NullLogger.Instance);

    // Wired the way SensorFactory wires emulated hardware: the module opens the emulated bus, the feed wraps the adapter.
    internal static ISensor OnEmulatedHardware(SensorOptions o, SensorContext ctx)
    {
        var hardware = new EmulatedHardware();
        return hardware.Fed(o, SensorModules.Find(o.Driver)!.Create(o, ctx, hardware));
    }

    /// <summary>Reads until the sensor reports values: a serial instrument's lines arrive at its own pace.</summary>
    internal static async Task<IReadOnlyList<Reading>> FirstValues(ISensor sensor, DateTimeOffset start)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; ; i++)
        {
            var readings = await sensor.ReadAsync(start.AddSeconds(i), deadline.Token);
            if (readings.Count > 0) return readings;
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }

    private static Reading Single(IReadOnlyList<Reading> readings, string name) => readings.Single(r => r.Name == name);

    [Fact]
    public async Task Ads1115_current_loop_channels_read_back_their_engineering_values()
    {
        var options = new Ads1115Options
        {
            Driver = "ads1115",
            Channels =
            [
                new AdcChannelOptions { Input = "AIN0", Name = "fluidisation_pressure", Unit = Units.KiloPascal, Calibration = new CalibrationOptions { Type = "current_loop", At4mA = 0, At20mA = 250 } },
                new AdcChannelOptions { Input = "AIN1", Name = "feed_rate", Unit = Units.TonnesPerHour, Calibration = new CalibrationOptions { Type = "current_loop", At4mA = 0, At20mA = 5 } },
            ],
        };
        var sensor = OnEmulatedHardware(options, Context("centrifuge", new() { ["fluidisation_pressure"] = 110, ["feed_rate"] = 1.2 }));

        var readings = await sensor.ReadAsync(T0, default);

        // One ADC step at ±4.096 V is 125 µV = 0.833 µA through 150 Ω = 0.013 kPa on a 0–250 kPa loop.
        Assert.Equal(110, Single(readings, "fluidisation_pressure").Value, 0.05);
        Assert.Equal(1.2, Single(readings, "feed_rate").Value, 0.002);
        Assert.Equal(Units.KiloPascal, Single(readings, "fluidisation_pressure").Unit);
    }

    [Fact]
    public async Task Ads1115_broken_loop_below_namur_3_6_mA_gives_no_value()
    {
        var options = new Ads1115Options
        {
            Driver = "ads1115",
            Channels = [new AdcChannelOptions { Input = "AIN0", Name = "fluidisation_pressure", Unit = Units.KiloPascal, Calibration = new CalibrationOptions { Type = "current_loop", At4mA = 0, At20mA = 250 } }],
        };
        // -40 kPa on a 0-250 kPa loop would be 1.44 mA: a broken wire, not a pressure.
        var sensor = OnEmulatedHardware(options, Context("centrifuge", new() { ["fluidisation_pressure"] = -40 }));
        Assert.Empty(await sensor.ReadAsync(T0, default));
    }

    [Fact]
    public async Task Pulse_pickup_gives_bowl_rpm_and_g_force_from_the_bowl_diameter()
    {
        var options = new PulseRpmOptions { Driver = "pulse_rpm", Pin = 17, PulsesPerRevolution = 4, Name = "bowl_speed" };
        var physics = new Dictionary<string, double> { ["bowl_speed"] = 400 };
        var sensor = OnEmulatedHardware(options, Context("centrifuge", physics, bowlMm: 762));

        await sensor.ReadAsync(T0, default);
        var readings = await sensor.ReadAsync(T0.AddSeconds(10), default);

        var rpm = Single(readings, "bowl_speed").Value;
        Assert.Equal(400, rpm, 400 * 0.02); // 4 pulses/rev over 10 s: ±1 pulse is ±1.5 rpm
        // G = (2π·rpm/60)²·r/9.81 with r = 0.381 m
        Assert.Equal(Math.Pow(2 * Math.PI * rpm / 60, 2) * 0.381 / 9.81, Single(readings, "bowl_g").Value, 0.01);

        physics["bowl_speed"] = 0;
        await sensor.ReadAsync(T0.AddSeconds(20), default);
        Assert.Equal(0, Single(await sensor.ReadAsync(T0.AddSeconds(30), default), "bowl_speed").Value);
    }

    [Fact]
    public async Task Pulse_flow_meter_converts_k_factor_pulses_to_litres_per_minute()
    {
        var options = new PulseFlowOptions { Driver = "pulse_flow", Pin = 27, KFactor = 7.5, Name = "fluidisation_flow" };
        var sensor = OnEmulatedHardware(options, Context("centrifuge", new() { ["fluidisation_flow"] = 96 }));
        await sensor.ReadAsync(T0, default);
        var flow = Single(await sensor.ReadAsync(T0.AddSeconds(10), default), "fluidisation_flow");
        Assert.Equal((96.0, Units.LitresPerMinute), (Math.Round(flow.Value, 0), flow.Unit)); // 96 L/min × 7.5 /60 = 12 Hz
    }

    [Fact]
    public async Task Mpu6050_on_the_deck_gives_the_table_stroke_rate()
    {
        var options = new Mpu6050Options { Driver = "mpu6050", SampleRateHz = 100, WindowMs = 4000 };
        var sensor = OnEmulatedHardware(options, Context("shaking_table", new() { ["stroke_rate"] = 285 }));
        var readings = await sensor.ReadAsync(T0, default);
        Assert.Equal(285, Single(readings, "stroke_rate").Value, 3);
        Assert.InRange(Single(readings, "vibration_rms").Value, 0.3, 0.6); // 0.6 g sine: RMS 0.42 g plus gravity-free noise
    }

    [Fact]
    public async Task Mercury_analyser_in_ng_per_m3_is_stored_in_ug_per_m3()
    {
        var options = new MercurySerialOptions { Driver = "mercury_serial", Format = "lumex_ra915", Name = "hg" };
        var sensor = OnEmulatedHardware(options, Context("mercury_vapour", new() { ["hg"] = 0.35 }));
        using var _ = (IDisposable)sensor;
        // 350 ng/m³ on the emulated serial line, parsed by the same reader loop as a real port's.
        var hg = Single(await FirstValues(sensor, T0), "hg");
        Assert.Equal((0.35, Units.MicrogramPerCubicMetre), (hg.Value, hg.Unit));
    }

    [Fact]
    public async Task Bme280_reports_temperature_humidity_and_pressure_in_hpa()
    {
        var options = new Bme280Options { Driver = "bme280" };
        var sensor = OnEmulatedHardware(options, Context("environment", new() { ["temperature"] = 31.5, ["humidity"] = 84, ["pressure"] = 996.2 }));
        var r = await sensor.ReadAsync(T0, default);
        Assert.Equal(31.5, Single(r, "temperature").Value, 0.02);
        Assert.Equal(84, Single(r, "humidity").Value, 0.1);
        Assert.Equal(996.2, Single(r, "pressure").Value, 0.05);
    }

    [Fact]
    public async Task Hx711_load_cell_reports_mass_in_kg()
    {
        var options = new Hx711Options { Driver = "hx711" };
        var sensor = OnEmulatedHardware(options, Context("weighing", new() { ["mass"] = 25.4 }));
        Assert.Equal(25.4, Single(await sensor.ReadAsync(T0, default), "mass").Value, 0.01);
    }

    [Fact]
    public async Task Ds18b20_reads_the_1wire_sysfs_temperature()
    {
        var options = new Ds18b20Options { Driver = "ds18b20", SensorId = "28-000005e2fdc3" };
        using var hardware = new EmulatedHardware();
        var sensor = hardware.Fed(options, new Ds18b20Module().Create(options, Context("environment", new() { ["temperature"] = 29.125 }), hardware));
        Assert.Equal(29.125, Single(await sensor.ReadAsync(T0, default), "temperature").Value, 0.0625);
    }
}

public class HardwareWiringTests
{
    [Theory]
    [InlineData(typeof(Ads1115Sensor))]
    [InlineData(typeof(Bme280Sensor))]
    [InlineData(typeof(Mpu6050Sensor))]
    [InlineData(typeof(PulseSensor))]
    [InlineData(typeof(Ds18b20Sensor))]
    [InlineData(typeof(Hx711Sensor))]
    [InlineData(typeof(MercurySerialSensor))]
    public void Adapters_hold_nothing_from_the_emulation_assembly(Type adapter)
    {
        var emulation = typeof(EdgeTelemetry.Sensors.Emulation.Ads1115Emulator).Assembly;

        var fields = adapter.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);

        Assert.DoesNotContain(fields, f => f.FieldType.Assembly == emulation);
    }

    [Fact]
    public void Emulated_mpu6050_windows_run_on_the_emulators_clock_through_the_real_loop()
    {
        var hardware = new EmulatedHardware();
        var options = new Mpu6050Options { Driver = "mpu6050" };
        var time = new EdgeTelemetry.Sensors.Emulation.ManualClock();

        var device = hardware.OpenI2c(options, 1, 0x68, address => new EmulatedChip(new EdgeTelemetry.Sensors.Emulation.Mpu6050Emulator(address, time), _ => { }, time));

        Assert.IsType<EdgeTelemetry.Sensors.Emulation.EmulatedWindowClock>(hardware.WindowClock(device));
        Assert.IsType<EdgeTelemetry.Sensors.Mpu6050.RealTimeWindowClock>(new PiHardware().WindowClock(null!));
    }
}
