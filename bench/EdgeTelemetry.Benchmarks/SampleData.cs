using EdgeTelemetry.Model;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// Realistic samples: a centrifuge's seven channels (docs/data-model.md), values rounded the way the
/// simulated sensors round them, seeded so every run encodes the same bytes.
/// </summary>
public static class SampleData
{
    public const string Site = "md-huepetuhe-01";
    public const string Device = "centrifuge-01";
    public const string Equipment = "icon-i150-1";
    public const string Stream = "9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b";
    public const string AgentVersion = "0.1.0";
    public static readonly string TelemetryTopic = $"edgetelemetry/v1/{Site}/{Device}/telemetry";
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Reading[] CentrifugeReadings(Random rnd)
    {
        var rpm = Math.Round(400 + (rnd.NextDouble() - 0.5) * 8, 1);
        return
        [
            new("bowl_speed", rpm, Units.Rpm),
            new("bowl_g", Math.Round(Math.Pow(2 * Math.PI * rpm / 60, 2) * 0.38 / 9.81, 2), Units.GForce),
            new("fluidisation_pressure", Math.Round(110 + (rnd.NextDouble() - 0.5) * 6, 1), Units.KiloPascal),
            new("fluidisation_flow", Math.Round(95 + (rnd.NextDouble() - 0.5) * 8, 1), Units.LitresPerMinute),
            new("feed_rate", Math.Round(1.0 + (rnd.NextDouble() - 0.5) * 0.1, 3), Units.TonnesPerHour),
            new("pulp_density", Math.Round(30 + (rnd.NextDouble() - 0.5) * 2, 1), Units.PercentSolids),
            new("motor_current", Math.Round(42 + (rnd.NextDouble() - 0.5) * 2, 2), Units.Ampere),
        ];
    }

    /// <summary>Samples as the buffer hands them to the publisher (seq from 1, one per 100 ms).</summary>
    public static List<Sample> Samples(int count, int seed = 42, long firstSeq = 1)
    {
        var rnd = new Random(seed);
        var t0 = Time.ToUnixNanoseconds(Start);
        return Enumerable.Range(0, count)
            .Select(i => new Sample(firstSeq + i, t0 + (firstSeq + i) * 100_000_000L, "centrifuge", Equipment, CentrifugeReadings(rnd)))
            .ToList();
    }

    /// <summary>The payload the agent's publisher sends for these samples (with its send time set).</summary>
    public static byte[] Payload(IEnumerable<Sample> samples) =>
        Wire.BatchCodec.Encode(Wire.BatchCodec.ToBatch(Site, Device, Stream, AgentVersion, samples, Time.ToUnixNanoseconds(Start.AddSeconds(1))));
}
