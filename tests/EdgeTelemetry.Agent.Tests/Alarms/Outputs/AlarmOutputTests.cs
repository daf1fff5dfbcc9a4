using System.Device.Gpio;
using System.Threading.Channels;
using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Alarms.Outputs;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeTelemetry.Agent.Tests.Alarms.Outputs;

/// <summary>Relays and the acknowledge button on the emulated GPIO chip, with fake time for debounce and blinking.</summary>
public sealed class AlarmOutputTests : IDisposable
{
    private const int Buzzer = 17, Light = 22, Button = 27;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
    private readonly EmulatedHardware _hardware = new();
    private readonly Channel<PendingSample> _queue = Channel.CreateUnbounded<PendingSample>();
    private readonly Annunciator _annunciator;
    private AlarmOutputService? _service;

    public AlarmOutputTests()
    {
        var clock = new ClockMonitor(_time, () => 0, () => true, "boot", new ClockOptions());
        _annunciator = new Annunciator(_queue.Writer, clock, NullLogger<Annunciator>.Instance);
    }

    public void Dispose()
    {
        _service?.Dispose();
        _hardware.Dispose();
    }

    private EmulatedGpioDriver Gpio => _hardware.Gpio;

    private void Start(params AlarmOutputPinOptions[] outputs)
    {
        var options = new AgentOptions
        {
            AlarmOutputs = new AlarmOutputOptions { Outputs = [.. outputs], Acknowledge = new AcknowledgeButtonOptions { Pin = Button, DebounceMs = 50 } },
        };
        _service = new AlarmOutputService(options, _hardware, _annunciator, _time, NullLogger<AlarmOutputService>.Instance);
        _service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private static AlarmOutputPinOptions BuzzerOn(int pin = Buzzer) => new() { Name = "buzzer", Pin = pin, SilencedByAcknowledge = true };
    private static AlarmOutputPinOptions LightOn(int pin = Light) => new() { Name = "light", Pin = pin };

    private void Raise(string equipment, string rule, AlarmSeverity severity = AlarmSeverity.Warning) =>
        _annunciator.Record(new AlarmTransition(equipment, rule, true, 1, 1), new AlarmRule(rule, "x", Comparison.Below, 0, 0, TimeSpan.Zero, Severity: severity), Units.None);

    private void Clear(string equipment, string rule) =>
        _annunciator.Record(new AlarmTransition(equipment, rule, false, 1, 2), new AlarmRule(rule, "x", Comparison.Below, 0, 0, TimeSpan.Zero), Units.None);

    private bool High(int pin) => Gpio.Level(pin) == PinValue.High;

    /// <summary>A press with contact bounce, then the level held (the debounce time passes in fake time).</summary>
    private void Press()
    {
        foreach (var level in new[] { PinValue.Low, PinValue.High, PinValue.Low, PinValue.High, PinValue.Low })
        {
            Gpio.SetInputLevel(Button, level);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }
        _time.Advance(TimeSpan.FromMilliseconds(60));
    }

    private void Release()
    {
        foreach (var level in new[] { PinValue.High, PinValue.Low, PinValue.High })
        {
            Gpio.SetInputLevel(Button, level);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }
        _time.Advance(TimeSpan.FromMilliseconds(60));
    }

    [Fact]
    public void Raised_alarm_switches_the_relay_on_in_the_same_call_and_the_clear_switches_it_off()
    {
        Start(LightOn());
        Assert.False(High(Light));

        Raise("cf-1", "fluidisation_lost");
        Assert.True(High(Light)); // no timer in between: the write happened inside Record

        Clear("cf-1", "fluidisation_lost");
        Assert.False(High(Light));
        Assert.Equal([false, true, false], Gpio.Writes().Where(w => w.Pin == Light).Select(w => w.High));
    }

    [Fact]
    public void Active_low_relay_idles_high_from_the_start_and_pulls_low_on_alarm()
    {
        Start(new AlarmOutputPinOptions { Name = "board", Pin = Light, ActiveLow = true });
        Assert.True(High(Light));
        Assert.DoesNotContain(Gpio.Writes(), w => w.Pin == Light && !w.High);

        Raise("cf-1", "fluidisation_lost");
        Assert.False(High(Light));
    }

    [Fact]
    public void Acknowledge_button_silences_the_buzzer_while_the_light_stays_on_until_the_next_new_alarm()
    {
        Start(BuzzerOn(), LightOn());
        Raise("cf-1", "fluidisation_lost");
        Assert.True(High(Buzzer) && High(Light));

        Press();
        Release();
        Assert.False(High(Buzzer));
        Assert.True(High(Light));

        Raise("table-1", "table_stopped");
        Assert.True(High(Buzzer));
        Assert.True(High(Light));
    }

    [Fact]
    public void A_bouncing_press_and_release_acknowledge_once_and_record_one_event_per_equipment()
    {
        Start(BuzzerOn());
        Raise("cf-1", "fluidisation_lost");
        Raise("cf-1", "bowl_stopped_while_feeding");
        Raise("hg-1", "hg_above_tlv");

        Press();
        Release();
        Press(); // nothing left to acknowledge: no event
        Release();

        var events = new List<PendingSample>();
        while (_queue.Reader.TryRead(out var e)) events.Add(e);
        Assert.All(events, e => Assert.Equal((Measurements.AlarmAck, SampleKind.Event), (e.Measurement, e.Kind)));
        Assert.Equal(["cf-1", "hg-1"], events.Select(e => e.Equipment).Order());
        var cf = events.Single(e => e.Equipment == "cf-1");
        Assert.Equal(["bowl_stopped_while_feeding", "fluidisation_lost"], cf.Readings.Select(r => r.Name).Order());
        Assert.All(cf.Readings, r => Assert.Equal((double)AcknowledgeSource.Button, r.Value));
        Assert.All(_annunciator.Active(), a => Assert.Equal(AcknowledgeSource.Button, a.AcknowledgedBy));
    }

    [Fact]
    public void A_glitch_shorter_than_the_debounce_time_is_not_a_press()
    {
        Start(BuzzerOn());
        Raise("cf-1", "fluidisation_lost");

        Gpio.SetInputLevel(Button, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Gpio.SetInputLevel(Button, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.True(High(Buzzer));
        Assert.False(_queue.Reader.TryRead(out _));
    }

    [Fact]
    public void An_acknowledged_alarm_that_clears_and_returns_sounds_again()
    {
        Start(BuzzerOn());
        Raise("cf-1", "fluidisation_lost");
        Press();
        Assert.False(High(Buzzer));

        Clear("cf-1", "fluidisation_lost");
        Raise("cf-1", "fluidisation_lost");
        Assert.True(High(Buzzer));
    }

    [Fact]
    public void Blinking_output_turns_on_at_once_then_toggles_every_half_period_and_ends_dark()
    {
        Start(new AlarmOutputPinOptions { Name = "beacon", Pin = Light, Mode = "blink", BlinkPeriodMs = 1000 });
        Raise("cf-1", "fluidisation_lost");
        Assert.True(High(Light));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(High(Light));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(High(Light));

        Clear("cf-1", "fluidisation_lost");
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(High(Light));
    }

    [Fact]
    public void Output_follows_only_the_alarms_and_severities_it_names()
    {
        Start(
            new AlarmOutputPinOptions { Name = "fluid", Pin = Buzzer, Alarms = ["cf-1.fluidisation_lost"] },
            new AlarmOutputPinOptions { Name = "critical", Pin = Light, Severities = ["critical"] });

        Raise("cf-2", "fluidisation_lost");
        Raise("hg-1", "hg_above_action_level", AlarmSeverity.Warning);
        Assert.False(High(Buzzer));
        Assert.False(High(Light));

        Raise("cf-1", "fluidisation_lost");
        Assert.True(High(Buzzer));
        Raise("hg-1", "hg_above_tlv", AlarmSeverity.Critical);
        Assert.True(High(Light));
    }

    [Fact]
    public void Stopping_the_service_leaves_every_relay_de_energised()
    {
        Start(BuzzerOn(), new AlarmOutputPinOptions { Name = "board", Pin = Light, ActiveLow = true });
        Raise("cf-1", "fluidisation_lost");
        _service!.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        Assert.False(High(Buzzer));
        Assert.True(High(Light));
    }
}

/// <summary>Without relays the agent never touches GPIO (on real hardware that would need libgpiod and a chip).</summary>
public sealed class AlarmOutputWithoutOutputsTests
{
    [Fact]
    public async Task An_agent_without_alarm_outputs_starts_them_without_opening_gpio()
    {
        using var hardware = new CountingHardware();
        var clock = new ClockMonitor(TimeProvider.System, () => 0, () => true, "boot", new ClockOptions());
        var annunciator = new Annunciator(Channel.CreateUnbounded<PendingSample>().Writer, clock, NullLogger<Annunciator>.Instance);
        using var service = new AlarmOutputService(new AgentOptions(), hardware, annunciator, TimeProvider.System, NullLogger<AlarmOutputService>.Instance);

        await service.StartAsync(CancellationToken.None);

        Assert.Equal(0, hardware.GpioOpened);
    }

    private sealed class CountingHardware : ISensorHardware
    {
        public int GpioOpened;
        public GpioController OpenGpio() { GpioOpened++; throw new InvalidOperationException("no GPIO chip here"); }
        public System.Device.I2c.I2cDevice OpenI2c(SensorOptions o, int bus, int address, I2cEmulation emulation) => throw new NotSupportedException();
        public EdgeTelemetry.Sensors.Mpu6050.IWindowClock WindowClock(System.Device.I2c.I2cDevice device) => throw new NotSupportedException();
        public EdgeTelemetry.Sensors.Pulse.IEdgeSource OpenEdges(SensorOptions o, EdgeTelemetry.Agent.Sensors.SensorContext ctx, int pin, string channel, double hertzPerUnit) => throw new NotSupportedException();
        public string OpenW1(SensorOptions o, EdgeTelemetry.Agent.Sensors.SensorContext ctx, string root, string sensorId, string channel) => throw new NotSupportedException();
        public LoadCellWiring OpenLoadCell(SensorOptions o, EdgeTelemetry.Agent.Sensors.SensorContext ctx, LoadCellSettings configured, string channel) => throw new NotSupportedException();
        public TextReader OpenSerial(SensorOptions o, string? port, int baud, SerialEmulation emulation) => throw new NotSupportedException();
        public void Dispose() { }
    }
}
