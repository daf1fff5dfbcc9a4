using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Threading.Channels;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// Central ingest ceiling: InfluxWriter posting 5000-point line-protocol batches (the central
/// service's Influx:MaxBatchPoints) one at a time, as the ingest pipeline does, into a real influxd
/// on loopback, gzip on and off. A producer builds the batches with SamplePoints + LineProtocolWriter
/// beside the writer (the central service's own work per point), so the figure is end to end.
/// </summary>
public static class Ingest
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(Option(args, "--seconds") ?? "15", CultureInfo.InvariantCulture);
        var batchPoints = int.Parse(Option(args, "--batch") ?? "5000", CultureInfo.InvariantCulture);
        var devices = int.Parse(Option(args, "--devices") ?? "50", CultureInfo.InvariantCulture);
        await using var influx = await InfluxDbServer.StartAsync();
        Console.WriteLine($"influxd {await VersionAsync(influx)} on {influx.Url}; {batchPoints}-point batches, {devices} devices x 7-field centrifuge points, {seconds} s per run (+2 s warm-up)");

        var sample = BuildBatch(batchPoints, devices, 0);
        var raw = Encoding.UTF8.GetByteCount(sample);
        Console.WriteLine($"batch body: {raw:N0} B ({raw / (double)batchPoints:F0} B/point), gzip Fastest {Gzip(sample):N0} B");
        Console.WriteLine();
        var influxPid = ChildPid("influxd");
        Console.WriteLine("| gzip | points/s | batches/s | write p50 ms | write p95 ms | CPU % bench process | CPU % influxd | points stored (checked) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var gzip in new[] { true, false })
        {
            var db = gzip ? "bench_gzip" : "bench_plain";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var writer = new InfluxWriter(http, Options.Create(new InfluxOptions { Url = influx.Url.ToString(), Database = db, Gzip = gzip }));
            await writer.EnsureDatabaseAsync(CancellationToken.None);
            long round = 0;
            var (warmPoints, _, _, _) = await RunAsync(writer, batchPoints, devices, () => round++, TimeSpan.FromSeconds(2)); // warm-up: JIT, connection, shard creation
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var influxCpu0 = CpuSeconds(influxPid);
            var (points, batches, elapsed, latencies) = await RunAsync(writer, batchPoints, devices, () => round++, TimeSpan.FromSeconds(seconds));
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var influxCpu = CpuSeconds(influxPid) - influxCpu0;
            latencies.Sort();
            var stored = await influx.CountAsync(db, "SELECT COUNT(seq) FROM centrifuge");
            Console.WriteLine($"| {(gzip ? "on" : "off")} | {points / elapsed:N0} | {batches / elapsed:F1} | {Percentile(latencies, 0.5):F1} | {Percentile(latencies, 0.95):F1} | " +
                              $"{cpu / elapsed * 100:F0} | {(influxPid > 0 ? (influxCpu / elapsed * 100).ToString("F0", CultureInfo.InvariantCulture) : "?")} | {stored:N0} of {warmPoints + points:N0} written |");
        }
        return 0;
    }

    private static async Task<(long Points, int Batches, double Seconds, List<double> Latencies)> RunAsync(
        InfluxWriter writer, int batchPoints, int devices, Func<long> nextRound, TimeSpan duration)
    {
        var queue = Channel.CreateBounded<string>(2);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                    await queue.Writer.WriteAsync(BuildBatch(batchPoints, devices, nextRound()), stop.Token);
            }
            catch (OperationCanceledException) { }
        });
        var latencies = new List<double>();
        long points = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            var lines = await queue.Reader.ReadAsync();
            var t = Stopwatch.GetTimestamp();
            await writer.WriteAsync(lines, CancellationToken.None);
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            points += batchPoints;
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        stop.Cancel();
        await producer;
        return (points, latencies.Count, elapsed, latencies);
    }

    /// <summary>One batch: batchPoints / devices consecutive samples (10 per second) of each device.</summary>
    private static string BuildBatch(int batchPoints, int devices, long round)
    {
        var perDevice = batchPoints / devices;
        var rnd = new Random((int)round);
        var t0 = Time.ToUnixNanoseconds(SampleData.Start);
        using var sb = new LineBuffer(batchPoints * 230);
        for (var d = 0; d < devices; d++)
        {
            var device = $"centrifuge-{d:D2}";
            for (var i = 0; i < perDevice; i++)
            {
                var seq = round * perDevice + i + 1;
                var sample = new Sample(seq, t0 + seq * 100_000_000L, "centrifuge", $"icon-i150-{d:D2}", SampleData.CentrifugeReadings(rnd));
                LineProtocolWriter.Append(sb, SamplePoints.ToPoint(SampleData.Site, device, sample));
            }
        }
        return sb.ToString();
    }

    private static int Gzip(string s)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(s));
        return (int)ms.Length;
    }

    private static async Task<string> VersionAsync(InfluxDbServer influx)
    {
        using var http = new HttpClient();
        using var r = await http.GetAsync(new Uri(influx.Url, "/ping"));
        return r.Headers.TryGetValues("X-Influxdb-Version", out var v) ? v.First() : "?";
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];
}
