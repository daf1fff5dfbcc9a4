using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Sensors.Simulated;

/// <summary>
/// Plausible gravity-plant signals for demos and tests (DESIGN.md domain facts): a batch
/// centrifuge cycling between ~10 min concentrating and a short rinse, a shaking table stroking at
/// a few hundred strokes/min, and mercury vapour with a low background and occasional spikes.
/// Values depend only on time and seed, so a run is reproducible.
/// </summary>
public sealed class SimulatedSensor : ISensor
{
    private readonly Func<DateTimeOffset, Random, IReadOnlyList<Reading>> _model;
    private readonly Random _random;

    public SimulatedSensor(string profile, string equipment, TimeSpan interval, int seed, string? measurement = null)
    {
        Measurement = measurement ?? profile;
        Equipment = equipment;
        Interval = interval;
        _random = new Random(seed);
        _model = ModelFor(profile);
    }

    public static IReadOnlyList<string> Profiles { get; } = ["centrifuge", "shaking_table", "sluice", "mercury_vapour", "smelting", "environment", "weighing"];

    /// <summary>The physical signals of one kind of equipment; also the "truth" behind emulated hardware.</summary>
    public static Func<DateTimeOffset, Random, IReadOnlyList<Reading>> ModelFor(string profile) => profile switch
    {
        "centrifuge" => Centrifuge,
        "shaking_table" => ShakingTable,
        "sluice" => Sluice,
        "mercury_vapour" => MercuryVapour,
        "smelting" => MercuryVapour,
        "environment" => Environment,
        "weighing" => (now, rnd) => [new Reading("mass", Math.Round(25 + Noise(rnd, 0.05), 3), Units.Kilogram)],
        _ => throw new ArgumentException($"no simulation for profile '{profile}' ({string.Join(", ", Profiles)})"),
    };

    /// <summary>Madre de Dios: hot and humid, near sea-level pressure.</summary>
    private static IReadOnlyList<Reading> Environment(DateTimeOffset now, Random rnd) =>
    [
        new("temperature", Math.Round(28 + 4 * Math.Sin(2 * Math.PI * now.TimeOfDay.TotalHours / 24) + Noise(rnd, 0.2), 2), Units.Celsius),
        new("humidity", Math.Round(82 + Noise(rnd, 1), 1), Units.RelativeHumidity),
        new("pressure", Math.Round(995 + Noise(rnd, 0.3), 1), Units.HectoPascal),
    ];

    public string Measurement { get; }
    public string Equipment { get; }
    public TimeSpan Interval { get; }

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct) =>
        ValueTask.FromResult(_model(now, _random));

    /// <summary>30-inch bowl (r = 0.381 m); 600 s concentrating, then a 60 s rinse with the bowl stopped.</summary>
    private static IReadOnlyList<Reading> Centrifuge(DateTimeOffset now, Random rnd)
    {
        const double radiusM = 0.381;
        var inCycle = now.ToUnixTimeMilliseconds() / 1000.0 % 660;
        var running = inCycle < 600;
        var rpm = running ? Math.Round(400 + Noise(rnd, 4), 1) : 0;
        var g = Math.Pow(2 * Math.PI * rpm / 60, 2) * radiusM / 9.81;
        return
        [
            new("bowl_speed", rpm, Units.Rpm),
            new("bowl_g", Math.Round(g, 2), Units.GForce),
            new("fluidisation_pressure", Math.Round(running ? 110 + Noise(rnd, 3) : 20 + Noise(rnd, 2), 1), Units.KiloPascal),
            new("fluidisation_flow", Math.Round(running ? 95 + Noise(rnd, 4) : 0, 1), Units.LitresPerMinute),
            new("feed_rate", Math.Round(running ? 1.0 + Noise(rnd, 0.05) : 0, 3), Units.TonnesPerHour),
        ];
    }

    private static IReadOnlyList<Reading> ShakingTable(DateTimeOffset now, Random rnd) =>
    [
        new("stroke_rate", Math.Round(285 + Noise(rnd, 3), 1), Units.StrokesPerMinute),
        new("stroke_length", Math.Round(16 + Noise(rnd, 0.3), 2), Units.Millimetre),
        new("wash_water_flow", Math.Round(28 + Noise(rnd, 1.5), 1), Units.LitresPerMinute),
        new("feed_rate", Math.Round(0.12 + Noise(rnd, 0.01), 3), Units.TonnesPerHour),
    ];

    private static IReadOnlyList<Reading> Sluice(DateTimeOffset now, Random rnd) =>
    [
        new("water_flow", Math.Round(400 + Noise(rnd, 20), 1), Units.LitresPerMinute),
        new("feed_rate", Math.Round(2.0 + Noise(rnd, 0.1), 3), Units.TonnesPerHour),
    ];

    /// <summary>Background ~0.1 µg/m³ (log-normal); a smelting spike to tens of µg/m³ about every 20 minutes.</summary>
    private static IReadOnlyList<Reading> MercuryVapour(DateTimeOffset now, Random rnd)
    {
        var background = Math.Exp(Math.Log(0.1) + 0.4 * Gaussian(rnd));
        var inCycle = now.ToUnixTimeMilliseconds() / 1000.0 % 1200;
        var spike = inCycle < 90 ? 30 * Math.Sin(Math.PI * inCycle / 90) : 0;
        return [new("hg", Math.Round(background + spike, 3), Units.MicrogramPerCubicMetre)];
    }

    private static double Noise(Random rnd, double sd) => sd * Gaussian(rnd);

    private static double Gaussian(Random rnd)
    {
        // Box-Muller: enough for plausible noise, no library needed.
        var u1 = 1.0 - rnd.NextDouble();
        var u2 = rnd.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
