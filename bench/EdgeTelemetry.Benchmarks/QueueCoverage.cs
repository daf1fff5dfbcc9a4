using System.Globalization;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.LocalServers;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// How long an InfluxDB outage the broker's queue for the central session covers. While InfluxDB is
/// down the central service acknowledges nothing: the broker has up to ReceiveMaximum messages in
/// flight to it and queues the rest, up to max_queued_messages and max_queued_bytes (whichever is hit
/// first); beyond that it drops QoS 1 messages. Message sizes are real payloads from BatchCodec.
/// </summary>
public static class QueueCoverage
{
    public static int Run(string[] args)
    {
        var confPath = Option(args, "--conf") ?? FindUp("firmware-config/broker/mosquitto.conf");
        var conf = confPath is not null ? File.ReadAllText(confPath) : MosquittoConfig.Shipped;
        long Num(string key) => long.Parse(MosquittoConfig.Get(conf, key) ?? throw new InvalidOperationException($"{key} not set"), CultureInfo.InvariantCulture);
        var maxMessages = Num("max_queued_messages");
        var maxBytes = Num("max_queued_bytes");
        var inflight = new IngestOptions().ReceiveMaximum;
        Console.WriteLine($"{confPath ?? "embedded mosquitto.conf"}: max_queued_messages {maxMessages:N0}, max_queued_bytes {maxBytes:N0} " +
                          $"({maxBytes / 1048576.0:F0} MiB); central ReceiveMaximum (in flight, unacked) {inflight:N0}");

        Console.WriteLine();
        Console.WriteLine("| samples per message | payload bytes | messages that fit in max_queued_bytes |");
        Console.WriteLine("|---|---|---|");
        var sizes = new Dictionary<int, int>();
        foreach (var n in new[] { 1, 10, 50, 200 })
        {
            sizes[n] = SampleData.Payload(SampleData.Samples(n)).Length;
            Console.WriteLine($"| {n} | {sizes[n]:N0} | {maxBytes / sizes[n]:N0} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Outage covered = min(max_queued_messages + {inflight} in flight, max_queued_bytes / payload) / (agents x 1 message/s); " +
                          "in-flight bytes are counted conservatively against max_queued_bytes.");
        Console.WriteLine("| agents | 1 sample/s (msg {0} B) | 10 samples/s ({1} B) | 200 samples/s or backlog drain ({2} B) |", sizes[1], sizes[10], sizes[200]);
        Console.WriteLine("|---|---|---|---|");
        foreach (var agents in new[] { 1, 3, 10, 20, 50, 100, 500 })
        {
            string Cover(int bytes)
            {
                var byCount = maxMessages + inflight;
                var byBytes = maxBytes / bytes;
                var fit = Math.Min(byCount, byBytes);
                return $"{Duration(fit / (double)agents)} ({(fit == byCount ? "messages" : "bytes")})";
            }
            Console.WriteLine($"| {agents} | {Cover(sizes[1])} | {Cover(sizes[10])} | {Cover(sizes[200])} |");
        }
        return 0;
    }

    private static string Duration(double seconds) =>
        seconds >= 86400 ? $"{seconds / 86400:F1} d" : seconds >= 3600 ? $"{seconds / 3600:F1} h" : seconds >= 60 ? $"{seconds / 60:F0} min" : $"{seconds:F0} s";

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return null;
    }
}
