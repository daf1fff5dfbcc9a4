using System.Device.Gpio;

namespace EdgeTelemetry.Sensors.Tests.Pulse;

using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Pulse;

public class PulseTests
{
    [Fact]
    public void PulseCounter_EdgesFurtherApartThanTheDebounce_AreAllCounted()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.FromMilliseconds(1));
        source.SetFrequency(200); // 5 ms apart

        source.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(200, counter.ReadSnapshot().Count);
    }

    [Fact]
    public void PulseCounter_BounceWithinTheDebounce_CountsOnePulse()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.FromMilliseconds(1));

        source.EmitBurst(bounces: 4, spacing: TimeSpan.FromMilliseconds(0.2)); // 5 edges within 0.8 ms
        clock.Advance(TimeSpan.FromMilliseconds(5));
        source.EmitBurst(bounces: 0, spacing: TimeSpan.Zero);

        PulseCountSnapshot snapshot = counter.ReadSnapshot();
        Assert.Equal(2, snapshot.Count);
        Assert.Equal(4, snapshot.Rejected);
    }

    [Fact]
    public void PulseCounter_DebounceMeasuresFromTheLastCountedEdge_NotTheLastBounce()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.FromMilliseconds(1));

        // Edges at 0, 0.6, 1.2 ms: 0.6 is rejected; 1.2 is ≥ 1 ms after the counted edge at 0.
        source.EmitBurst(bounces: 2, spacing: TimeSpan.FromMilliseconds(0.6));

        Assert.Equal(2, counter.ReadSnapshot().Count);
    }

    [Fact]
    public void RpmCalculator_CountsPulsesPerRevolutionOverTheWindow()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.FromMilliseconds(1));
        var rpm = new RpmCalculator(pulsesPerRevolution: 4, stoppedAfter: TimeSpan.FromSeconds(2));
        source.SetRpm(450, pulsesPerRevolution: 4); // 30 pulses/s

        var before = counter.ReadSnapshot();
        source.Advance(TimeSpan.FromSeconds(10));
        RpmReading reading = rpm.Calculate(before, counter.ReadSnapshot());

        // 300 pulses / 4 per rev / (10 s / 60) = 450 rpm.
        Assert.Equal(300, reading.Pulses);
        Assert.Equal(450, reading.Rpm, 6);
        Assert.False(reading.Stopped);
    }

    [Fact]
    public void RpmCalculator_NoPulseForLongerThanTheLimit_ReportsStoppedAtZeroRpm()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.Zero);
        var rpm = new RpmCalculator(1, stoppedAfter: TimeSpan.FromSeconds(3));
        source.SetRpm(400);
        source.Advance(TimeSpan.FromSeconds(10));

        source.Stop();
        var before = counter.ReadSnapshot();
        source.Advance(TimeSpan.FromSeconds(2));
        RpmReading coasting = rpm.Calculate(before, counter.ReadSnapshot());
        source.Advance(TimeSpan.FromSeconds(2));
        RpmReading stopped = rpm.Calculate(before, counter.ReadSnapshot());

        Assert.False(coasting.Stopped); // last pulse 2 s ago < 3 s
        Assert.True(stopped.Stopped);   // last pulse 4 s ago > 3 s
        Assert.Equal(0, stopped.Rpm);
    }

    [Fact]
    public void RpmCalculator_NeverAnyPulse_IsStopped()
    {
        var clock = new ManualClock();
        using var counter = new PulseCounter(new SimulatedEdgeSource(clock), TimeSpan.Zero);
        var before = counter.ReadSnapshot();
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(new RpmCalculator(1, TimeSpan.FromSeconds(5)).Calculate(before, counter.ReadSnapshot()).Stopped);
    }

    [Fact]
    public void PulseFlowMeter_KFactor_GivesLitresPerMinuteAndTotal()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.FromMilliseconds(0.5));
        var meter = new PulseFlowMeter(kFactorPulsesPerLitre: 450, noFlowAfter: TimeSpan.FromSeconds(2));
        source.SetFlow(litresPerMinute: 12, pulsesPerLitre: 450); // 90 pulses/s

        var start = counter.ReadSnapshot();
        source.Advance(TimeSpan.FromSeconds(30));
        var middle = counter.ReadSnapshot();
        source.Advance(TimeSpan.FromSeconds(30));
        FlowReading reading = meter.Calculate(middle, counter.ReadSnapshot());

        // 2700 pulses per 30 s window / 450 = 6 L → 12 L/min; 5400 pulses total = 12 L.
        Assert.Equal(12, reading.LitresPerMinute, 6);
        Assert.Equal(6, reading.WindowLitres, 6);
        Assert.Equal(12, reading.TotalLitres, 6);
        Assert.False(reading.NoFlow);
        Assert.Equal(0, start.Count);
    }

    [Fact]
    public void PulseFlowMeter_NoPulses_ReportsNoFlow()
    {
        var clock = new ManualClock();
        var source = new SimulatedEdgeSource(clock);
        using var counter = new PulseCounter(source, TimeSpan.Zero);
        var meter = new PulseFlowMeter(450, TimeSpan.FromSeconds(2));
        source.SetFlow(10, 450);
        source.Advance(TimeSpan.FromSeconds(5));
        source.Stop();

        var before = counter.ReadSnapshot();
        source.Advance(TimeSpan.FromSeconds(5));
        FlowReading reading = meter.Calculate(before, counter.ReadSnapshot());

        Assert.True(reading.NoFlow);
        Assert.Equal(0, reading.LitresPerMinute);
    }

    [Fact]
    public void GpioEdgeSource_CountsFallingEdgesRegisteredThroughGpioController()
    {
        var driver = new EmulatedGpioDriver();
        using var gpio = new GpioController(driver);
        var clock = new ManualClock();
        using var pickup = new GpioEdgeSource(gpio, pin: 17, PinEventTypes.Falling, clock: clock);
        using var counter = new PulseCounter(pickup, TimeSpan.FromMilliseconds(1));

        for (int i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            driver.Pulse(17); // one rising and one falling edge
        }

        PulseCountSnapshot snapshot = counter.ReadSnapshot();
        Assert.Equal(3, snapshot.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(30), snapshot.LastPulseAt);
    }
}
