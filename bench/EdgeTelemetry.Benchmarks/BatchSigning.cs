using System.Diagnostics;
using System.Globalization;
using EdgeTelemetry.Agent.Signing;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Extensions.Logging.Abstractions;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// <c>bench signing</c>: what a device signature costs per batch — the agent signing (digest, ECDSA P-256 sign, base64)
/// and the central service verifying (key lookup, base64, digest, verify) — for a 200-sample backlog batch and a
/// 7-sample one-second batch, v1 JSON and wire v2; and the whole ingest preparation of the v1 batch with and without a
/// signature, so the share of verification in ingest CPU is seen. Stopwatch over repeated passes, medians.
/// </summary>
public static class BatchSigning
{
    public static int Run(string[] args)
    {
        var passes = int.Parse(Option(args, "--passes") ?? "2000", CultureInfo.InvariantCulture);
        var dir = Directory.CreateTempSubdirectory("et-sign-").FullName;
        try
        {
            using var key = DeviceKey.TryCreate(Path.Combine(dir, "device-key.pem"), replace: false)!;
            var registry = Path.Combine(dir, "devices.json");
            DeviceRegistry.Save(registry, DeviceKeyChanges.Enrol([], SampleData.Site, SampleData.Device,
                DeviceKeyChanges.ParseKey(key.PublicKeyPem, DateTimeOffset.UtcNow, "bench"), DateTimeOffset.UtcNow));
            var keyring = new DeviceKeyring(registry, TimeSpan.FromSeconds(2), TimeProvider.System, NullLogger.Instance);
            var verifier = new BatchAuthenticator(keyring, new SignatureOptions());

            Console.WriteLine($"{passes} passes each, medians; {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| batch | payload B | agent: sign µs | central: verify µs | verify µs/sample |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (name, count) in new[] { ("200 samples (backlog)", 200), ("7 samples (1 s)", 7) })
            {
                var samples = SampleData.Samples(count);
                var v1 = SampleData.Payload(samples);
                var v2 = new WireV2Encoder(SampleData.Stream, SampleData.AgentVersion).Encode(samples, null, out _);
                foreach (var (encoding, payload) in new[] { ("v1 JSON", v1), ("v2", v2) })
                {
                    var (first, last) = (samples[0].Seq, samples[^1].Seq);
                    var sig = key.SignBatch(SampleData.Site, SampleData.Device, SampleData.Stream, first, last, payload);
                    var properties = new BatchSignatureProperties(sig, key.KeyId);
                    if (!verifier.Check(SampleData.Site, SampleData.Device, SampleData.Stream, first, last, payload, properties).Verified)
                        throw new InvalidOperationException("the bench's own signature does not verify");
                    var sign = Median(passes, () => key.SignBatch(SampleData.Site, SampleData.Device, SampleData.Stream, first, last, payload));
                    var verify = Median(passes, () => verifier.Check(SampleData.Site, SampleData.Device, SampleData.Stream, first, last, payload, properties));
                    Console.WriteLine($"| {name}, {encoding} | {payload.Length} | {sign:F0} | {verify:F0} | {verify / count:F2} |");
                }
            }

            // Ingest as a whole: the 200-sample v1 batch prepared (transcoder hot path) unsigned from an unenrolled
            // device, and signed from an enrolled one.
            var batch = SampleData.Samples(200);
            var signedPayload = SampleData.Payload(batch);
            var signature = new BatchSignatureProperties(key.SignBatch(SampleData.Site, SampleData.Device, SampleData.Stream, 1, 200, signedPayload), key.KeyId);
            var other = BatchCodec.Encode(BatchCodec.ToBatch(SampleData.Site, "unenrolled", SampleData.Stream, SampleData.AgentVersion, batch, BatchCodec.TryDecode(signedPayload, out _)!.SentNs));
            var core = new MessageIngest(new IngestMetrics(), new DeliveryTracker(), new IngestOptions(), NullLogger.Instance, null, keyring);
            var receivedAt = SampleData.Start.AddSeconds(30);
            using (var check = core.Prepare(SampleData.TelemetryTopic, signedPayload, receivedAt, signature: signature))
                if (check.Accepted != 200 || !check.Lines.ToString().Contains(",signed=true ", StringComparison.Ordinal))
                    throw new InvalidOperationException("the signed batch was not stored signed");
            var unsigned = Median(passes / 4, () => core.Prepare($"edgetelemetry/v1/{SampleData.Site}/unenrolled/telemetry", other, receivedAt).Dispose());
            var signedPrepare = Median(passes / 4, () => core.Prepare(SampleData.TelemetryTopic, signedPayload, receivedAt, signature: signature).Dispose());
            // Again, in the other order: a shared machine's load moves both.
            unsigned = Math.Min(unsigned, Median(passes / 4, () => core.Prepare($"edgetelemetry/v1/{SampleData.Site}/unenrolled/telemetry", other, receivedAt).Dispose()));
            Console.WriteLine();
            Console.WriteLine($"ingest prepare of a 200-sample v1 batch: unsigned {unsigned:F0} µs ({unsigned / 200:F2} µs/sample), signed and verified {signedPrepare:F0} µs ({signedPrepare / 200:F2} µs/sample)");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Median(int passes, Action action) => KeyBench.MedianMicroseconds(passes, action);

    private static double Median<T>(int passes, Func<T> f) => Median(passes, () => { f(); });
}
