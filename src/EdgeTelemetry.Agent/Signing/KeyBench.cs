using System.Diagnostics;
using System.Globalization;
using EdgeTelemetry.Model;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using MQTTnet;

namespace EdgeTelemetry.Agent.Signing;

/// <summary>
/// <c>edgetelemetry-agent key bench [--batches N]</c>: what signing a batch costs on this device, with the agent's own
/// signer (<see cref="BatchSigner"/>: digest, ECDSA P-256, base64, user properties) and a throwaway key — the device key
/// is not read. Wire v2 batches of seven-reading centrifuge samples: 7 samples (one second of the demo) and 200 (a
/// backlog batch). Prints the median wall time per batch and what one batch a second costs of one core.
/// </summary>
public static class KeyBench
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var value = AgentApp.ArgValue(args, "--batches") ?? "1000";
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var batches) || batches < 1)
        {
            stderr.WriteLine($"edgetelemetry-agent: --batches '{value}' is not a positive number");
            return 2;
        }
        var dir = Directory.CreateTempSubdirectory("et-keybench-");
        try
        {
            using var signer = new BatchSigner(DeviceKey.TryCreate(Path.Combine(dir.FullName, "bench-key.pem"), replace: false));
            stdout.WriteLine($"signing wire v2 batches, {batches} per size, median per batch ({RuntimeInformationText()})");
            stdout.WriteLine("| batch | payload B | sign µs | % of one core at 1 batch/s |");
            stdout.WriteLine("|---|---|---|---|");
            foreach (var count in new[] { 7, 200 })
            {
                var samples = Samples(count);
                var payload = new WireV2Encoder(Stream, "bench").Encode(samples, samples[^1].TimestampNs, out _);
                var seqs = samples.Select(s => s.Seq).ToArray();
                if (!Verifies(signer.Key!, payload, count))
                {
                    stderr.WriteLine("edgetelemetry-agent: key bench: a signature made here does not verify with its own public key");
                    return 1;
                }
                var micros = MedianMicroseconds(batches, () =>
                    signer.Sign(new MqttApplicationMessageBuilder().WithPayload(payload), "bench-site", "bench-device", Stream, seqs, payload));
                stdout.WriteLine($"| {count} samples | {payload.Length} | {micros:F1} | {micros / 1e4:F4} % |");
            }
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>What is timed is a real signature: it verifies with the public key, as the central service checks it.</summary>
    private static bool Verifies(DeviceKey key, byte[] payload, int count)
    {
        using var publicKey = EcKeyPem.Parse(key.PublicKeyPem, needPrivate: false, "bench key");
        var signature = key.SignBatch("bench-site", "bench-device", Stream, 1, count, payload);
        return BatchSignature.Verify(publicKey, BatchSignature.Digest("bench-site", "bench-device", Stream, 1, count, payload), Convert.FromBase64String(signature));
    }

    private const string Stream = "0123456789abcdef0123456789abcdef";

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}";

    /// <summary>One centrifuge's samples a second apart, seven channels each, values varying as measured ones do (seeded).</summary>
    private static List<Sample> Samples(int count)
    {
        var rnd = new Random(7);
        string[] channels = ["bowl_speed", "bowl_g", "fluidisation_pressure", "fluidisation_flow", "feed_rate", "pulp_density", "motor_current"];
        double[] levels = [400, 60, 110, 95, 1, 30, 42];
        string[] units = [Units.Rpm, Units.GForce, Units.KiloPascal, Units.LitresPerMinute, Units.TonnesPerHour, Units.PercentSolids, Units.Ampere];
        var t0 = Time.ToUnixNanoseconds(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        return Enumerable.Range(1, count).Select(seq => new Sample(seq, t0 + seq * 1_000_000_000L, "centrifuge", "bench-1",
                channels.Select((name, i) => new Reading(name, Math.Round(levels[i] * (1 + (rnd.NextDouble() - 0.5) * 0.04), 2), units[i])).ToArray()))
            .ToList();
    }

    /// <summary>Median wall time of one call in µs, after a warm-up of up to 200 calls.</summary>
    public static double MedianMicroseconds(int passes, Action action)
    {
        for (var i = 0; i < Math.Min(200, passes); i++) action();
        var times = new double[passes];
        for (var i = 0; i < passes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[passes / 2];
    }
}
