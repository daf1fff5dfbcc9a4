using EdgeTelemetry.Agent.Sensors.Simulated;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Dashboards.Tests;

/// <summary>One agent's piece of equipment in the seed.</summary>
public sealed record Station(string Site, string Device, string Equipment, string Profile, int Seed);

/// <summary>
/// An hour of plausible plant data ending at a given instant: SimulatedSensor telemetry every 5 s
/// for two sites (centrifuges, a shaking table, two mercury monitors — one of them with a 10-minute
/// outage), plus hand-built device_status, agent_health, alarm and process_batch points in the
/// service schema (<see cref="DataModel.ServiceMeasurements"/>).
/// </summary>
public sealed class PlantSeed
{
    public const string MainSite = "md-huepetuhe-01";
    public const string SecondSite = "md-laberinto-02";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Span = TimeSpan.FromHours(1);

    public static readonly IReadOnlyList<Station> Stations =
    [
        new(MainSite, "centrifuge-01", "knelson-md30-1", "centrifuge", 11),
        new(MainSite, "table-01", "wilfley-13-1", "shaking_table", 12),
        new(MainSite, "hg-monitor-01", "smelting-area", "mercury_vapour", 13),
        new(MainSite, "hg-monitor-02", "processing-area", "mercury_vapour", 14),
        new(SecondSite, "centrifuge-01", "icon-i150-1", "centrifuge", 15),
    ];

    /// <summary>The device whose link drops for 10 minutes (no telemetry, offline status, backlog afterwards).</summary>
    public const string OutageDevice = "hg-monitor-02";

    private readonly List<Point> _points = [];
    private readonly Dictionary<Station, List<Sample>> _samples = [];

    public PlantSeed(DateTimeOffset end)
    {
        // Whole 5-second steps, so timestamps line up across stations.
        End = DateTimeOffset.FromUnixTimeSeconds(end.ToUnixTimeSeconds() / 5 * 5);
        Start = End - Span;
        OutageStart = End - TimeSpan.FromMinutes(30);
        OutageEnd = End - TimeSpan.FromMinutes(20);
    }

    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public DateTimeOffset OutageStart { get; }
    public DateTimeOffset OutageEnd { get; }
    public IReadOnlyList<Point> Points => _points;
    public int TelemetryPoints { get; private set; }
    public int BatchPoints { get; private set; }

    public static async Task<PlantSeed> BuildAsync(DateTimeOffset end)
    {
        var seed = new PlantSeed(end);
        await seed.AddTelemetryAsync();
        seed.AddDeviceStatus();
        seed.AddAgentHealth();
        seed.AddAlarms();
        seed.AddBatches();
        return seed;
    }

    public async Task WriteAsync(InfluxDbServer influx)
    {
        await influx.ExecuteAsync($"CREATE DATABASE \"{DataModel.Database}\"");
        // The raw policy the dashboards read process data from beside the default (docs/operations.md); the seed
        // itself stays in the default policy, as points written before retention routing do.
        await influx.ExecuteAsync($"CREATE RETENTION POLICY \"raw\" ON \"{DataModel.Database}\" DURATION 90d REPLICATION 1");
        foreach (var chunk in _points.Chunk(5000))
        {
            await influx.WriteAsync(DataModel.Database, LineProtocolWriter.Write(chunk));
        }
    }

    private bool InOutage(Station s, DateTimeOffset t) => s.Device == OutageDevice && t >= OutageStart && t < OutageEnd;

    private async Task AddTelemetryAsync()
    {
        foreach (var station in Stations)
        {
            var sensor = new SimulatedSensor(station.Profile, station.Equipment, Step, station.Seed);
            var samples = new List<Sample>();
            long seq = 0;
            for (var t = Start; t <= End; t += Step)
            {
                var readings = await sensor.ReadAsync(t, CancellationToken.None);
                if (InOutage(station, t)) continue; // the monitor was off: a real gap, not zeros
                var sample = new Sample(++seq, Time.ToUnixNanoseconds(t), sensor.Measurement, sensor.Equipment, readings);
                samples.Add(sample);
                _points.Add(SamplePoints.ToPoint(station.Site, station.Device, sample));
            }
            _samples[station] = samples;
            TelemetryPoints += samples.Count;
        }
    }

    private static long Ns(DateTimeOffset t) => Time.ToUnixNanoseconds(t);

    private void AddDeviceStatus()
    {
        foreach (var (s, i) in Stations.Select((s, i) => (s, i)))
        {
            _points.Add(Status(s, Start + TimeSpan.FromSeconds(1 + i), "online"));
        }
        var outage = Stations.Single(s => s.Device == OutageDevice);
        _points.Add(Status(outage, OutageStart + TimeSpan.FromSeconds(2), "offline")); // the broker's last will
        _points.Add(Status(outage, OutageEnd + TimeSpan.FromSeconds(1), "online"));    // new connection, buffer kept

        static Point Status(Station s, DateTimeOffset t, string state) => new Point("device_status", Ns(t))
            .Tag("site", s.Site).Tag("device", s.Device)
            .Field("state", state)
            .Field("online", state == "online")
            .Field("agent", "0.1.0")
            .Field("stream", $"{s.Device}-stream-1");
    }

    private void AddAgentHealth()
    {
        foreach (var (s, i) in Stations.Select((s, i) => (s, i)))
        {
            long seq = 0;
            for (var t = Start + TimeSpan.FromSeconds(30 + i); t <= End; t += TimeSpan.FromMinutes(1))
            {
                if (InOutage(s, t)) continue;
                // After the outage the monitor drains ~120 buffered readings over five minutes.
                var sinceReconnect = (t - OutageEnd).TotalSeconds;
                var draining = s.Device == OutageDevice && sinceReconnect is >= 0 and < 300;
                var backlog = draining ? Math.Round(120 * (1 - sinceReconnect / 300)) : 0;
                var oldestAge = draining ? (OutageEnd - OutageStart).TotalSeconds + sinceReconnect : 0;
                _points.Add(new Point("agent_health", Ns(t))
                    .Tag("site", s.Site).Tag("device", s.Device).Tag("equipment", "agent")
                    .Field("backlog", backlog)
                    .Field("oldest_unsent_age", oldestAge)
                    .Field("evictions", 0.0)
                    .Field("buffer_bytes", 4096.0 * (1 + backlog))
                    .Field("disk_free", 12.5e9 - i * 1e8)
                    .Field("cpu_temperature", 52.0 + i + 3 * Math.Sin((t - Start).TotalMinutes / 9))
                    .Field("uptime", 86_400 + (t - Start).TotalSeconds)
                    .Field("reconnects", s.Device == OutageDevice && t >= OutageEnd ? 1.0 : 0.0)
                    .Field("clock_ok", 1.0)
                    .Field("clock_jumps", 0.0)
                    .Field("seq", ++seq));
            }
        }
    }

    private void AddAlarms()
    {
        Station Eq(string equipment) => Stations.Single(s => s.Equipment == equipment);
        Add(Eq("knelson-md30-1"), End - TimeSpan.FromMinutes(40), "fluidisation_lost", true, 22.4);
        Add(Eq("knelson-md30-1"), End - TimeSpan.FromMinutes(38), "fluidisation_lost", false, 104.0);
        Add(Eq("icon-i150-1"), End - TimeSpan.FromMinutes(15), "bowl_stopped_while_feeding", true, 0);
        Add(Eq("icon-i150-1"), End - TimeSpan.FromMinutes(14), "bowl_stopped_while_feeding", false, 398.0);
        Add(Eq("wilfley-13-1"), End - TimeSpan.FromMinutes(5), "table_stopped", true, 0); // still open at the end
        // The simulated smelting spikes (every 20 min, 90 s, peak 30 ug/m3) raise the action-level and TLV alarms.
        var firstCycle = Start.ToUnixTimeSeconds() / 1200 * 1200;
        for (var c = firstCycle; c <= End.ToUnixTimeSeconds(); c += 1200)
        {
            var spike = DateTimeOffset.FromUnixTimeSeconds(c);
            if (spike < Start || spike + TimeSpan.FromSeconds(90) > End) continue;
            Add(Eq("smelting-area"), spike + TimeSpan.FromSeconds(30), "hg_above_action_level", true, 26.0);
            Add(Eq("smelting-area"), spike + TimeSpan.FromSeconds(38), "hg_above_tlv", true, 28.9);
            Add(Eq("smelting-area"), spike + TimeSpan.FromSeconds(55), "hg_above_tlv", false, 22.1);
            Add(Eq("smelting-area"), spike + TimeSpan.FromSeconds(75), "hg_above_action_level", false, 7.8);
        }

        void Add(Station s, DateTimeOffset t, string rule, bool raised, double value) =>
            _points.Add(new Point("alarm", Ns(t))
                .Tag("site", s.Site).Tag("device", s.Device).Tag("equipment", s.Equipment)
                .Field(rule, raised ? 1.0 : 0.0)
                .Field(rule + "_value", value));
    }

    /// <summary>
    /// Centrifuge batches follow the simulator's 660 s cycle (600 s concentrating, 60 s rinse); the
    /// process means come from the seeded samples of the concentrating phase, the assays are
    /// invented but mass-balanced. Two table batches use the two-product formula.
    /// </summary>
    private void AddBatches()
    {
        foreach (var station in Stations.Where(s => s.Profile == "centrifuge"))
        {
            var samples = _samples[station];
            var first = (Start.ToUnixTimeSeconds() + 659) / 660 * 660;
            var n = 0;
            for (var c = first; c + 660 <= End.ToUnixTimeSeconds(); c += 660, n++)
            {
                var start = DateTimeOffset.FromUnixTimeSeconds(c);
                var phase = Window(samples, start, start + TimeSpan.FromSeconds(600));
                var feedRate = Mean(phase, "feed_rate");
                var feedKg = feedRate * 1000 * 600 / 3600;
                var feedGrade = 8.0 + n % 3;
                var recovery = 62 + 6 * Math.Sin(n + station.Seed);
                var concKg = feedKg * 0.0012;
                var concGrade = recovery / 100 * feedKg * feedGrade / concKg;
                var tailGrade = (feedKg * feedGrade - concKg * concGrade) / (feedKg - concKg);
                _points.Add(Batch(station, start, start + TimeSpan.FromSeconds(660), $"{station.Equipment}-{c}",
                        feedKg, feedGrade, concKg, concGrade, tailGrade, recovery, "mass_balance")
                    .Field("mean_bowl_speed_rpm", Mean(phase, "bowl_speed"))
                    .Field("mean_bowl_g", Mean(phase, "bowl_g"))
                    .Field("mean_fluidisation_pressure_kpa", Mean(phase, "fluidisation_pressure"))
                    .Field("mean_fluidisation_flow_lpm", Mean(phase, "fluidisation_flow"))
                    .Field("mean_feed_rate_tph", feedRate));
                BatchPoints++;
            }
        }
        var table = Stations.Single(s => s.Profile == "shaking_table");
        foreach (var (offset, n) in new[] { (55, 0), (28, 1) })
        {
            var start = End - TimeSpan.FromMinutes(offset);
            var end = start + TimeSpan.FromMinutes(25);
            var phase = Window(_samples[table], start, end);
            var feedRate = Mean(phase, "feed_rate");
            var feedKg = feedRate * 1000 * 25 / 60;
            double f = 950 + 50 * n, c = 9800 - 400 * n, t = 95 + 10 * n;
            var recovery = 100 * c * (f - t) / (f * (c - t));
            var concKg = feedKg * (f - t) / (c - t);
            _points.Add(Batch(table, start, end, $"{table.Equipment}-{start.ToUnixTimeSeconds()}",
                    feedKg, f, concKg, c, t, recovery, "two_product")
                .Field("mean_stroke_rate_spm", Mean(phase, "stroke_rate"))
                .Field("mean_feed_rate_tph", feedRate));
            BatchPoints++;
        }

        static Point Batch(Station s, DateTimeOffset start, DateTimeOffset end, string id, double feedKg, double feedGrade,
            double concKg, double concGrade, double tailGrade, double recovery, string method) =>
            new Point("process_batch", Ns(start))
                .Tag("site", s.Site).Tag("equipment", s.Equipment)
                .Field("batch_id", id)
                .Field("end_ns", Ns(end))
                .Field("feed_mass_kg", Math.Round(feedKg, 2))
                .Field("feed_grade_gpt", Math.Round(feedGrade, 2))
                .Field("concentrate_mass_kg", Math.Round(concKg, 3))
                .Field("concentrate_grade_gpt", Math.Round(concGrade, 1))
                .Field("tailings_grade_gpt", Math.Round(tailGrade, 3))
                .Field("recovery_pct", Math.Round(recovery, 2))
                .Field("recovery_method", method)
                .Field("mass_pull_pct", Math.Round(100 * concKg / feedKg, 4))
                .Field("upgrade_ratio", Math.Round(concGrade / feedGrade, 1));
    }

    private static List<Sample> Window(List<Sample> samples, DateTimeOffset from, DateTimeOffset to) =>
        samples.Where(s => s.TimestampNs >= Ns(from) && s.TimestampNs < Ns(to)).ToList();

    private static double Mean(List<Sample> samples, string reading) =>
        Math.Round(samples.SelectMany(s => s.Readings).Where(r => r.Name == reading).Average(r => r.Value), 3);
}
