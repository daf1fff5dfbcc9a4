using System.Device.Gpio;
using System.Device.I2c;
using System.Runtime.CompilerServices;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Hx711;
using EdgeTelemetry.Sensors.Mpu6050;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// Register-level, edge-level, file-level and line-level emulators in place of the Pi's buses. Each device it opens
/// gets a feed that writes the plant simulation's physical values into the emulator; <see cref="Fed"/> wraps the
/// adapter so the feed runs before each read. I2C chips and serial instruments are the ones their driver module
/// describes (<see cref="I2cEmulation"/>, <see cref="SerialEmulation"/>); the adapter knows only its bus.
/// </summary>
public sealed class EmulatedHardware : ISensorHardware
{
    // Longest stretch of pulses generated at once: an agent paused for hours must not emulate hours of edges.
    private static readonly TimeSpan MaxEdgeCatchUp = TimeSpan.FromMinutes(1);

    private readonly ConditionalWeakTable<SensorOptions, Action<DateTimeOffset>> _feeds = [];
    private readonly ConditionalWeakTable<I2cDevice, ManualClock> _clocks = [];
    private readonly List<IDisposable> _owned = [];
    private GpioController? _gpio;

    /// <summary>The emulated GPIO chip behind <see cref="OpenGpio"/>: tests read the pin writes and press buttons here.</summary>
    public EmulatedGpioDriver Gpio { get; } = new();

    public GpioController OpenGpio() => _gpio ??= new GpioController(Gpio);

    public I2cDevice OpenI2c(SensorOptions o, int bus, int address, I2cEmulation emulation)
    {
        var chip = emulation(address);
        if (chip.Time is { } time) _clocks.Add(chip.Device, time);
        Feed(o, chip.Feed);
        return chip.Device;
    }

    public IWindowClock WindowClock(I2cDevice device) =>
        _clocks.TryGetValue(device, out var time) ? new EmulatedWindowClock(time) : new RealTimeWindowClock(TimeProvider.System);

    public IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, int pin, string channel, double hertzPerUnit)
    {
        var edges = new SimulatedEdgeSource(new ManualClock());
        DateTimeOffset? last = null;
        Feed(o, now =>
        {
            edges.SetFrequency(Math.Max(0, ctx.Truth(channel, now)) * hertzPerUnit);
            var elapsed = last is { } l ? now - l : ctx.Interval;
            last = now;
            if (elapsed > TimeSpan.Zero) edges.Advance(elapsed < MaxEdgeCatchUp ? elapsed : MaxEdgeCatchUp);
        });
        return edges;
    }

    public string OpenW1(SensorOptions o, SensorContext ctx, string root, string sensorId, string channel)
    {
        var tree = new W1SysfsTree();
        _owned.Add(tree);
        Feed(o, now => tree.SetTemperature(sensorId, Math.Round(ctx.Truth(channel, now, 28), 3)));
        return tree.Root;
    }

    public LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, LoadCellSettings configured, string channel)
    {
        // The emulated cell: 100 kg, 2 mV/V at 5 V; its calibration follows from the datasheet gain.
        const double CapacityKg = 100, RatedMillivoltsPerVolt = 2.0;
        var chip = new Hx711Emulator();
        var countsPerKg = chip.CodeFor(chip.AnalogSupplyVolts * RatedMillivoltsPerVolt / 1000.0 / CapacityKg, Hx711Gain.ChannelA128);
        Feed(o, now => chip.SetLoadCell(ctx.Truth(channel, now), CapacityKg, RatedMillivoltsPerVolt));
        return new LoadCellWiring(chip, 0, countsPerKg);
    }

    public TextReader OpenSerial(SensorOptions o, string? port, int baud, SerialEmulation emulation)
    {
        var instrument = emulation();
        Feed(o, instrument.Feed);
        return instrument.Lines;
    }

    public void Dispose()
    {
        _gpio?.Dispose();
        foreach (var owned in _owned) owned.Dispose();
    }

    /// <summary>The adapter, with the plant written into its emulator before each read.</summary>
    public ISensor Fed(SensorOptions o, ISensor sensor) => _feeds.TryGetValue(o, out var feed) ? new PlantFedSensor(sensor, feed) : sensor;

    private void Feed(SensorOptions o, Action<DateTimeOffset> feed) => _feeds.AddOrUpdate(o, feed);

    private sealed class PlantFedSensor(ISensor inner, Action<DateTimeOffset> feed) : ISensor, IDisposable
    {
        public string Measurement => inner.Measurement;
        public string Equipment => inner.Equipment;
        public TimeSpan Interval => inner.Interval;

        public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
        {
            feed(now);
            return inner.ReadAsync(now, ct);
        }

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}
