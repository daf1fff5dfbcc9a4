using EdgeTelemetry.Agent.Sensors.Simulated;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>One station of the demo plant (firmware-config/examples).</summary>
public sealed record Station(string Device, string Equipment, string Profile, int Seed);

/// <summary>
/// The last hour of the demo's three stations, as the agents and the central service would have
/// stored it: SimulatedSensor telemetry every 5 s through SamplePoints, the retained online status
/// of each device, agent health every minute, one open and one cleared alarm, and finished batches.
/// </summary>
public sealed class PlantHour
{
    public const string Site = "md-huepetuhe-01";
    public const string Database = "edgetelemetry";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    public static readonly IReadOnlyList<Station> Stations =
    [
        new("centrifuge-01", "knelson-md30-1", "centrifuge", 11),
        new("table-01", "wilfley-13-1", "shaking_table", 12),
        new("hg-monitor-01", "smelting-area", "mercury_vapour", 13),
    ];

    private readonly List<Point> _points = [];

    private PlantHour(DateTimeOffset end)
    {
        End = DateTimeOffset.FromUnixTimeSeconds(end.ToUnixTimeSeconds() / 5 * 5);
        Start = End - TimeSpan.FromHours(1);
    }

    public DateTimeOffset Start { get; }
    public DateTimeOffset End { get; }
    public IReadOnlyList<Point> Points => _points;
    public int Batches { get; private set; }

    public static async Task<PlantHour> BuildAsync(DateTimeOffset end)
    {
        var hour = new PlantHour(end);
        foreach (var station in Stations) await hour.AddTelemetryAsync(station);
        hour.AddStatusAndHealth();
        hour.AddAlarms();
        hour.AddBatches();
        return hour;
    }

    public string LineProtocol() => LineProtocolWriter.Write(_points);

    private static long Ns(DateTimeOffset t) => Time.ToUnixNanoseconds(t);

    private async Task AddTelemetryAsync(Station station)
    {
        var sensor = new SimulatedSensor(station.Profile, station.Equipment, Step, station.Seed);
        long seq = 0;
        for (var t = Start; t <= End; t += Step)
        {
            var readings = await sensor.ReadAsync(t, CancellationToken.None);
            _points.Add(SamplePoints.ToPoint(Site, station.Device, new Sample(++seq, Ns(t), sensor.Measurement, sensor.Equipment, readings)));
        }
    }

    private void AddStatusAndHealth()
    {
        foreach (var (s, i) in Stations.Select((s, i) => (s, i)))
        {
            _points.Add(new Point("device_status", Ns(Start + TimeSpan.FromSeconds(1 + i)))
                .Tag("site", Site).Tag("device", s.Device)
                .Field("state", "online").Field("online", true).Field("agent", "0.1.0").Field("stream", $"{s.Device}-stream-1"));
            long seq = 0;
            for (var t = Start + TimeSpan.FromSeconds(30 + i); t <= End; t += TimeSpan.FromMinutes(1))
            {
                _points.Add(new Point("agent_health", Ns(t))
                    .Tag("site", Site).Tag("device", s.Device).Tag("equipment", "agent")
                    .Field("backlog", 0.0).Field("oldest_unsent_age", 0.0).Field("evictions", 0.0)
                    .Field("buffer_bytes", 4096.0).Field("disk_free", 12.5e9).Field("cpu_temperature", 52.0 + i)
                    .Field("uptime", 86_400 + (t - Start).TotalSeconds).Field("reconnects", 0.0)
                    .Field("clock_ok", 1.0).Field("clock_jumps", 0.0).Field("seq", ++seq));
            }
        }
    }

    private void AddAlarms()
    {
        Alarm(Stations[0], End - TimeSpan.FromMinutes(40), "fluidisation_lost", true, 22.4);
        Alarm(Stations[0], End - TimeSpan.FromMinutes(38), "fluidisation_lost", false, 104.0);
        Alarm(Stations[1], End - TimeSpan.FromMinutes(5), "table_stopped", true, 0); // still open

        void Alarm(Station s, DateTimeOffset t, string rule, bool raised, double value) =>
            _points.Add(new Point("alarm", Ns(t))
                .Tag("site", Site).Tag("device", s.Device).Tag("equipment", s.Equipment)
                .Field(rule, raised ? 1.0 : 0.0).Field(rule + "_value", value));
    }

    /// <summary>Centrifuge batches on the simulator's 660 s cycle, mass-balanced assays (recovery 58–68 %), and one without assays.</summary>
    private void AddBatches()
    {
        var centrifuge = Stations[0];
        var first = (Start.ToUnixTimeSeconds() + 659) / 660 * 660;
        var n = 0;
        for (var c = first; c + 660 <= End.ToUnixTimeSeconds(); c += 660, n++)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(c);
            double feedKg = 166.7, feedGrade = 8.0 + n % 3, recovery = Math.Round(63 + 5 * Math.Sin(n), 2);
            var concKg = feedKg * 0.0012;
            var concGrade = recovery / 100 * feedKg * feedGrade / concKg;
            var tailGrade = (feedKg * feedGrade - concKg * concGrade) / (feedKg - concKg);
            _points.Add(new Point("process_batch", Ns(start))
                .Tag("site", Site).Tag("equipment", centrifuge.Equipment)
                .Field("batch_id", $"{centrifuge.Equipment}-{c}")
                .Field("end_ns", Ns(start + TimeSpan.FromSeconds(660)))
                .Field("feed_mass_kg", feedKg).Field("feed_grade_gpt", feedGrade)
                .Field("concentrate_mass_kg", Math.Round(concKg, 3)).Field("concentrate_grade_gpt", Math.Round(concGrade, 1))
                .Field("tailings_grade_gpt", Math.Round(tailGrade, 3))
                .Field("recovery_pct", recovery).Field("recovery_method", "mass_balance")
                .Field("mass_pull_pct", Math.Round(100 * concKg / feedKg, 4)).Field("upgrade_ratio", Math.Round(concGrade / feedGrade, 1))
                .Field("mean_bowl_speed_rpm", 400.0).Field("mean_bowl_g", 68.2)
                .Field("mean_fluidisation_pressure_kpa", 110.0).Field("mean_fluidisation_flow_lpm", 95.0).Field("mean_feed_rate_tph", 1.0));
            Batches++;
        }
        // The cycle before the hour: weighed, its assays not back yet (the page shows a warning, no recovery).
        var pending = first - 660;
        _points.Add(new Point("process_batch", Ns(DateTimeOffset.FromUnixTimeSeconds(pending)))
            .Tag("site", Site).Tag("equipment", centrifuge.Equipment)
            .Field("batch_id", $"{centrifuge.Equipment}-{pending}")
            .Field("end_ns", Ns(DateTimeOffset.FromUnixTimeSeconds(pending + 660)))
            .Field("feed_mass_kg", 166.7));
        Batches++;
    }
}
