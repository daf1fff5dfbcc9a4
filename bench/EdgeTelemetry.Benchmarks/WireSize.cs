using System.Diagnostics;
using System.Globalization;
using EdgeTelemetry.Agent;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// <c>bench wire</c>: MQTT payload bytes per reading, v1 JSON against v2 protobuf, on what real stations
/// sample. Each station (the perf station of issues 11 and 15 — 7 simulated centrifuges at 1 s — and every
/// example in firmware-config/examples on emulated hardware through the real drivers) runs in-process for
/// the given seconds with no broker reachable, so everything stays in its buffer; then the buffered samples
/// are encoded as the agent sends them: one message per second (a commit interval), and as 200-sample
/// backlog batches. v2 sends its dictionary once per device (counted in the totals). Encode and decode
/// CPU per reading are timed over repeated passes.
/// </summary>
public static class WireSize
{
    private const string Stream = "9f2c0a6e5b7d4f1e8a3b2c1d0e9f8a7b";
    private const string AgentVersion = "0.1.0";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(Option(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("et-wire-").FullName;
        var stations = new List<(string Name, string Config)> { ("perf: 7 simulated centrifuges", PerfStation(work)) };
        foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot(), "firmware-config", "examples"), "*.yaml").Order())
            stations.Add((Path.GetFileNameWithoutExtension(f), f));

        Console.Error.WriteLine($"sampling {stations.Count} stations for {seconds} s (emulated hardware, no broker) ...");
        var samples = await Task.WhenAll(stations.Select((s, i) => SampleAsync(s.Config, Path.Combine(work, $"buffer{i}.db"), seconds)));

        Console.WriteLine($"{seconds} s of sampling per station; payload bytes per reading (MQTT payload only)");
        Console.WriteLine();
        Console.WriteLine("| station | readings/s | 1 s messages: v1 B/reading | v2 B/reading | v1/v2 | 200-sample batches: v1 B/reading | v2 B/reading | v1/v2 | encode µs/reading v1 / v2 | decode µs/reading v1 / v2 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < stations.Count; i++)
        {
            var all = samples[i];
            if (all.Count == 0) { Console.WriteLine($"| {stations[i].Name} | no samples | | | | | | | | |"); continue; }
            var readings = all.Sum(s => s.Readings.Count);
            // "--dump N": the first N samples of each station, to see what the encodings are given.
            foreach (var s in all.Take(int.Parse(Option(args, "--dump") ?? "0", CultureInfo.InvariantCulture)))
                Console.Error.WriteLine($"  {stations[i].Name}: {s.Seq} {s.TimestampNs} {s.Measurement} {s.Equipment} {string.Join(" ", s.Readings.Select(r => $"{r.Name}={r.Value.ToString("R", CultureInfo.InvariantCulture)}{r.Unit}"))}");
            var perSecond = all.GroupBy(s => s.TimestampNs / 1_000_000_000).Select(g => (IReadOnlyList<Sample>)g.ToList()).ToList();
            var backlog = all.Chunk(200).Select(c => (IReadOnlyList<Sample>)c).ToList();
            var (v1Live, v2Live) = (V1Bytes(perSecond), V2Bytes(perSecond));
            var (v1Backlog, v2Backlog) = (V1Bytes(backlog), V2Bytes(backlog));
            var (enc1, enc2, dec1, dec2) = Cpu(perSecond, readings);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {stations[i].Name} | {readings / (double)seconds:F1} | {v1Live / (double)readings:F1} | {v2Live / (double)readings:F2} | {v1Live / (double)v2Live:F1} | {v1Backlog / (double)readings:F1} | {v2Backlog / (double)readings:F2} | {v1Backlog / (double)v2Backlog:F1} | {enc1:F2} / {enc2:F2} | {dec1:F2} / {dec2:F2} |"));
        }
        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Runs a station's agent against no broker for <paramref name="seconds"/>, then reads back what it buffered.</summary>
    private static async Task<IReadOnlyList<Sample>> SampleAsync(string config, string buffer, int seconds)
    {
        var host = await AgentApp.BuildAsync(["--config", config, "--Agent:Hardware=emulated", "--Agent:LocalPage:Enabled=false",
            $"--Agent:Buffer:Path={buffer}", "--Agent:Broker:Host=127.0.0.1", "--Agent:Broker:Port=1", "--Logging:LogLevel:Default=None"]);
        await host.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();
        await using var opened = await SampleBuffer.OpenAsync(buffer);
        return await opened.ReadUnsentAsync(int.MaxValue);
    }

    private static long V1Bytes(IEnumerable<IReadOnlyList<Sample>> messages) =>
        messages.Sum(m => (long)BatchCodec.Encode(BatchCodec.ToBatch("md-huepetuhe-01", "centrifuge-01", Stream, AgentVersion, m, m[^1].TimestampNs)).Length);

    /// <summary>Every batch plus each dictionary the encoder had to publish first.</summary>
    private static long V2Bytes(IEnumerable<IReadOnlyList<Sample>> messages)
    {
        var encoder = new WireV2Encoder(Stream, AgentVersion);
        long bytes = 0;
        foreach (var m in messages)
        {
            bytes += encoder.Encode(m, m[^1].TimestampNs, out var changed).Length;
            if (changed) bytes += encoder.DictionaryPayload.Length;
        }
        return bytes;
    }

    /// <summary>µs per reading to encode and to decode the 1 s messages, each timed over at least half a second of passes.</summary>
    private static (double Encode1, double Encode2, double Decode1, double Decode2) Cpu(List<IReadOnlyList<Sample>> messages, int readings)
    {
        var encoder = new WireV2Encoder(Stream, AgentVersion);
        var v1 = messages.Select(m => BatchCodec.Encode(BatchCodec.ToBatch("s", "d", Stream, AgentVersion, m, m[^1].TimestampNs))).ToList();
        var v2 = messages.Select(m => encoder.Encode(m, m[^1].TimestampNs, out _)).ToList();
        var dictionary = ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload);
        var id = encoder.DictionaryId;
        return (
            Time(() => { foreach (var m in messages) BatchCodec.Encode(BatchCodec.ToBatch("s", "d", Stream, AgentVersion, m, m[^1].TimestampNs)); }),
            Time(() => { var e = new WireV2Encoder(Stream, AgentVersion); foreach (var m in messages) e.Encode(m, m[^1].TimestampNs, out _); }),
            Time(() => { foreach (var p in v1) BatchCodec.TryDecode(p, out _); }),
            Time(() => { foreach (var p in v2) WireV2.TryDecode(p, "s", "d", x => x == id ? dictionary : null, 10_000, 1 << 24, out _); }));

        double Time(Action pass)
        {
            pass(); // warm
            var sw = Stopwatch.StartNew();
            var passes = 0;
            do { pass(); passes++; } while (sw.Elapsed < TimeSpan.FromSeconds(0.5));
            return sw.Elapsed.TotalMicroseconds / passes / readings;
        }
    }

    private static string PerfStation(string work)
    {
        var yaml = new System.Text.StringBuilder("site: bench\ndevice: perf\nsensors:\n");
        for (var i = 1; i <= 7; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - driver: simulated\n    equipment: centrifuge-{i}\n    profile: centrifuge\n    intervalMs: 1000\n");
        var path = Path.Combine(work, "perf.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }
}
