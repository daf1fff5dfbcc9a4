using EdgeTelemetry.Agent.Sensors.Simulated;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Sensors;

public class SimulatedSensorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static async Task<List<IReadOnlyList<Reading>>> RunAsync(string profile, TimeSpan span, TimeSpan step)
    {
        var sensor = new SimulatedSensor(profile, "eq-1", step, seed: 42);
        var result = new List<IReadOnlyList<Reading>>();
        for (var t = Start; t < Start + span; t += step) result.Add(await sensor.ReadAsync(t, default));
        return result;
    }

    [Fact]
    public async Task Centrifuge_runs_near_400_rpm_with_g_force_from_the_bowl_radius_and_stops_for_rinses()
    {
        var readings = await RunAsync("centrifuge", TimeSpan.FromMinutes(22), TimeSpan.FromSeconds(5));
        var rpm = readings.Select(r => r.Single(x => x.Name == "bowl_speed").Value).ToList();
        Assert.All(rpm.Where(v => v > 0), v => Assert.InRange(v, 370, 430));
        Assert.Contains(0.0, rpm); // rinse cycles stop the bowl
        foreach (var r in readings)
        {
            var speed = r.Single(x => x.Name == "bowl_speed").Value;
            var g = r.Single(x => x.Name == "bowl_g").Value;
            Assert.Equal(Math.Pow(2 * Math.PI * speed / 60, 2) * 0.381 / 9.81, g, 0.01);
        }
    }

    [Fact]
    public async Task Every_reading_uses_the_catalogue_unit()
    {
        foreach (var profile in SimulatedSensor.Profiles.Where(p => Channels.All.Any(c => c.Measurement == p)))
            foreach (var sample in await RunAsync(profile, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10)))
                foreach (var r in sample)
                {
                    Assert.True(double.IsFinite(r.Value));
                    Assert.Equal(Channels.Find(profile, r.Name)?.Unit, r.Unit);
                }
    }

    [Fact]
    public async Task Mercury_background_is_below_the_who_guideline_and_spikes_exceed_it()
    {
        var hg = (await RunAsync("mercury_vapour", TimeSpan.FromMinutes(40), TimeSpan.FromSeconds(5)))
            .Select(r => r.Single().Value).ToList();
        var sorted = hg.Order().ToList();
        Assert.True(sorted[sorted.Count / 2] < 1.0, $"median {sorted[sorted.Count / 2]} µg/m³ should be background");
        Assert.True(hg.Max() > 25, $"max {hg.Max()} µg/m³ should show a smelting spike above the ACGIH TLV");
        Assert.All(hg, v => Assert.True(v > 0));
    }

    [Fact]
    public async Task Same_seed_and_time_give_the_same_values()
    {
        var a = await RunAsync("shaking_table", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        var b = await RunAsync("shaking_table", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        Assert.Equal(a.SelectMany(x => x).Select(x => x.Value), b.SelectMany(x => x).Select(x => x.Value));
    }
}
