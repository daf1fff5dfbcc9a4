using System.Device.I2c;
using System.Runtime.CompilerServices;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Emulation.Ads1115Model;
using EdgeTelemetry.Sensors.Hx711;
using EdgeTelemetry.Sensors.Mpu6050;
using EdgeTelemetry.Sensors.Pulse;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// Register-level, edge-level and file-level emulators in place of the Pi's buses. Each device it opens gets a feed that writes the plant
/// simulation's physical values into the emulator; <see cref="Fed"/> wraps the adapter so the feed runs before
/// each read. The feed knows the emulator, the adapter knows only an <see cref="I2cDevice"/>.
/// </summary>
public sealed class EmulatedHardware : ISensorHardware
{
    // Longest stretch of pulses generated at once: an agent paused for hours must not emulate hours of edges.
    private static readonly TimeSpan MaxEdgeCatchUp = TimeSpan.FromMinutes(1);

    private readonly ConditionalWeakTable<SensorOptions, Action<DateTimeOffset>> _feeds = [];
    private readonly ConditionalWeakTable<I2cDevice, ManualClock> _clocks = [];
    private readonly List<W1SysfsTree> _trees = [];

    public IEdgeSource OpenEdges(SensorOptions o, SensorContext ctx, string channel, double hertzPerUnit)
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

    public string OpenW1(SensorOptions o, SensorContext ctx, string channel)
    {
        var tree = new W1SysfsTree();
        _trees.Add(tree);
        var id = o.SensorId ?? throw new ArgumentException("sensorId: is required (e.g. 28-000005e2fdc3)");
        Feed(o, now => tree.SetTemperature(id, Math.Round(ctx.Truth(channel, now, 28), 3)));
        return tree.Root;
    }

    public LoadCellWiring OpenLoadCell(SensorOptions o, SensorContext ctx, string channel)
    {
        // The emulated cell: 100 kg, 2 mV/V at 5 V; its calibration follows from the datasheet gain.
        const double CapacityKg = 100, RatedMillivoltsPerVolt = 2.0;
        var chip = new Hx711Emulator();
        var countsPerKg = chip.CodeFor(chip.AnalogSupplyVolts * RatedMillivoltsPerVolt / 1000.0 / CapacityKg, Hx711Gain.ChannelA128);
        Feed(o, now => chip.SetLoadCell(ctx.Truth(channel, now), CapacityKg, RatedMillivoltsPerVolt));
        return new LoadCellWiring(chip, 0, countsPerKg);
    }

    public void Dispose()
    {
        foreach (var tree in _trees) tree.Dispose();
    }

    public I2cDevice Open(SensorOptions o, SensorContext ctx, int address)
    {
        switch (o.Driver)
        {
            case "bme280":
                var bme = new Bme280Emulator(address);
                Feed(o, now => bme.SetEnvironment(ctx.Truth("temperature", now, 28), ctx.Truth("humidity", now, 80), ctx.Truth("pressure", now, 995) * 100));
                return bme;
            case "ads1115":
                var ads = new Ads1115Emulator(address);
                var inputs = o.Channels.Select(c => (Ads1115Sensor.ParseInput(c.Input).Channels().Positive, c.Name,
                    ChannelCalibration.Create(c.Calibration ?? throw new ArgumentException($"channel {c.Name}: calibration is required"), c.Unit))).ToList();
                Feed(o, now =>
                {
                    foreach (var (channel, name, calibration) in inputs)
                        ads.SetInputVoltage(channel, calibration.ToVolts(ctx.Truth(name, now)));
                });
                return ads;
            case "mpu6050":
                var time = new ManualClock();
                var mpu = new Mpu6050Emulator(address, time);
                mpu.SetNoise(0.02, seed: 7);
                _clocks.Add(mpu, time);
                Feed(o, now =>
                {
                    var spm = ctx.Truth("stroke_rate", now);
                    if (spm > 1) mpu.SetStroke(spm, 0.6); else mpu.StopStroke();
                });
                return mpu;
            default:
                throw new ArgumentException($"no I2C emulator for driver '{o.Driver}'");
        }
    }

    public IWindowClock WindowClock(I2cDevice device) =>
        _clocks.TryGetValue(device, out var time) ? new EmulatedWindowClock(time) : new RealTimeWindowClock(TimeProvider.System);

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
