using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Benchmarks;

/// <summary>The per-message work of the agent (encode) and the central service (decode, validate, line protocol), for a 200-sample batch.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class HotPathBenchmarks
{
    private const int Samples = 200;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private Sample[] _samples = [];
    private byte[] _payload = [];
    private ValidatedBatch _validated = null!;

    [GlobalSetup]
    public void Setup()
    {
        var t0 = Time.ToUnixNanoseconds(Now);
        _samples = Enumerable.Range(1, Samples).Select(i => new Sample(i, t0 + i * 1_000_000_000L, "centrifuge", "knelson-md30-1",
        [
            new Reading("bowl_speed", 400 + i % 7, Units.Rpm), new Reading("bowl_g", 68.2, Units.GForce),
            new Reading("fluidisation_pressure", 110.4, Units.KiloPascal), new Reading("fluidisation_flow", 95.1, Units.LitresPerMinute),
            new Reading("feed_rate", 1.02, Units.TonnesPerHour),
        ])).ToArray();
        _payload = Encode();
        _validated = Validate();
    }

    [Benchmark(Description = "agent: encode 200-sample envelope")]
    public byte[] Encode() => BatchCodec.Encode(BatchCodec.ToBatch("md-huepetuhe-01", "centrifuge-01", "9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b", "0.1.0", _samples));

    [Benchmark(Description = "central: decode + validate 200 samples")]
    public ValidatedBatch Validate() =>
        BatchValidator.Validate("edgetelemetry/v1/md-huepetuhe-01/centrifuge-01/telemetry", _payload, Now.AddMinutes(5), new ValidationLimits());

    [Benchmark(Description = "central: line protocol for 200 points")]
    public int LineProtocol()
    {
        var sb = new StringBuilder(32 * 1024);
        foreach (var s in _validated.Accepted) LineProtocolWriter.Append(sb, SamplePoints.ToPoint("md-huepetuhe-01", "centrifuge-01", s));
        return sb.Length;
    }
}
