using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using MQTTnet;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// <c>bench agent</c>: what the agent costs the device it runs on. One or more agent builds, one after
/// the other in one run against the same mosquitto, each with the same station: N simulated
/// centrifuges sampled every second (7 ≈ 36 readings/s, 10 ≈ 51). For each build:
/// <list type="bullet">
/// <item>start → first publish: from process start until a subscriber sees the first telemetry message;</item>
/// <item>after the warm-up, over the measured window: resident memory (VmRSS every 250 ms: median =
/// steady; VmHWM = peak since start), CPU (utime + stime from /proc, % of one core), readings/s
/// and MQTT payload bytes/reading as published;</item>
/// <item>under qemu, resident memory is the guest's: the mappings below the emulator's own image and heap;</item>
/// <item>published size: the build's folder on disk, without debug symbols (.pdb, .dbg).</item>
/// </list>
/// <c>--central</c> runs the central service (its own process) and influxd too, so the agent gets receipts and the
/// wire-v2 announcement; <c>--encodings json,auto</c> measures each build once per <c>publish.encoding</c>. Payload
/// bytes then count dictionaries too, v2 readings are counted by decoding, and receipts are reported as bytes/reading
/// the other way.
/// A build is <c>label=path</c>: path is an executable (a published folder's EdgeTelemetry.Agent) or a
/// .dll run by <c>dotnet</c>; <c>--qemu ROOTFS</c> runs executables under qemu-aarch64-static -L ROOTFS
/// (the arm64 build; RSS there is close to native, CPU is the emulator's and is not the Pi's).
/// </summary>
public static class AgentFootprint
{
    private sealed record Result(string Label, double FirstPublishS, double SteadyRssMb, double PeakRssMb, double CpuPercent,
        double ReadingsPerS, double PayloadBytesPerReading, double ReceiptBytesPerReading, double PublishedMb, double DiskBytesPerReading);

    public static async Task<int> RunAsync(string[] args)
    {
        var builds = (Option(args, "--agents") ?? $"dll={DefaultAgentDll()}").Split(',')
            .Select(b => b.Split('=', 2)).Select(p => (Label: p[0], Path: Path.GetFullPath(p[1]))).ToList();
        var centrifuges = int.Parse(Option(args, "--centrifuges") ?? "7", CultureInfo.InvariantCulture);
        var warmup = TimeSpan.FromSeconds(double.Parse(Option(args, "--warmup") ?? "20", CultureInfo.InvariantCulture));
        var window = TimeSpan.FromSeconds(double.Parse(Option(args, "--seconds") ?? "60", CultureInfo.InvariantCulture));
        var qemuRootFs = Option(args, "--qemu");
        // "--env K=V ..." runtime settings for every build (e.g. DOTNET_TieredPGO=0).
        var env = (Option(args, "--env") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(e => e.Split('=', 2)[0], e => e.Split('=', 2)[1]);
        if (qemuRootFs is not null) env["DOTNET_EnableWriteXorExecute"] = "0"; // as scripts/arm64-smoke.sh: qemu-user and W^X double mapping

        var encodings = (Option(args, "--encodings") ?? "auto").Split(',');

        await using var broker = await MosquittoServer.StartAsync();
        await using var influx = args.Contains("--central") ? await InfluxDbServer.StartAsync() : null;
        var central = influx is null ? null : StartCentral(broker, influx);
        try
        {
            if (central is not null) await WaitForAnnouncementAsync(broker);
            Console.WriteLine($"mosquitto on {broker.Port}{(central is null ? ", no central service" : $", central service and influxd")}; {centrifuges} simulated centrifuges at 1 s; warm-up {warmup.TotalSeconds:F0} s, measured {window.TotalSeconds:F0} s{(qemuRootFs is null ? "" : $"; under qemu-aarch64-static -L {qemuRootFs}")}");
            Console.WriteLine();
            Console.WriteLine("| build | encoding | start → first publish s | RSS steady MB (median) | RSS peak MB (VmHWM) | CPU % of one core | readings/s | payload B/reading | receipts B/reading | published MB (no symbols) | disk write_bytes B/reading |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            var round = 0;
            foreach (var (label, path) in builds)
            foreach (var encoding in encodings)
            {
                var r = await MeasureAsync(broker, label, path, $"bench-{++round}", centrifuges, encoding, warmup, window, qemuRootFs, env);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Label} | {encoding} | {r.FirstPublishS:F2} | {r.SteadyRssMb:F1} | {r.PeakRssMb:F1} | {r.CpuPercent:F2} | {r.ReadingsPerS:F1} | {r.PayloadBytesPerReading:F1} | {r.ReceiptBytesPerReading:F2} | {r.PublishedMb:F1} | {r.DiskBytesPerReading:F0} |"));
            }
        }
        finally
        {
            if (central is not null) await central.StopAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        return 0;
    }

    private static ChildProcess StartCentral(MosquittoServer broker, InfluxDbServer influx)
    {
        var work = Directory.CreateTempSubdirectory("et-agent-central-").FullName;
        return ChildProcess.Start("dotnet",
        [
            EndToEnd.CentralDll(), "--urls", $"http://127.0.0.1:{ChildProcess.FreePort()}",
            $"--Ingest:BrokerPort={broker.Port}", "--Ingest:ClientId=bench-agent-central", $"--Influx:Url={influx.Url}", "--Influx:Database=bench",
            "--Logging:LogLevel:Default=Warning", "--Api:Keys:0:Name=bench", "--Api:Keys:0:Key=bench-key-" + Guid.NewGuid().ToString("N"), "--Api:Keys:0:Role=operator",
        ], work, Path.Combine(work, "central.out"), Path.Combine(work, "central.err"));
    }

    /// <summary>The central service's retained announcement is on the broker: agents started now see it.</summary>
    private static async Task WaitForAnnouncementAsync(MosquittoServer broker)
    {
        var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e => { announced.TrySetResult(); return Task.CompletedTask; };
        for (var attempt = 0; ; attempt++)
        {
            if (!client.IsConnected)
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
            await client.SubscribeAsync(Topics.CentralCapabilities);
            if (await Task.WhenAny(announced.Task, Task.Delay(1000)) == announced.Task) break;
            if (attempt == 60) throw new TimeoutException("the central service did not announce itself within 60 s");
            await client.UnsubscribeAsync(Topics.CentralCapabilities);
        }
        await client.DisconnectAsync();
    }

    private static async Task<Result> MeasureAsync(MosquittoServer broker, string label, string path, string device, int centrifuges, string encoding,
        TimeSpan warmup, TimeSpan window, string? qemuRootFs, IReadOnlyDictionary<string, string> env)
    {
        var work = Directory.CreateTempSubdirectory("et-agent-").FullName;
        var config = Path.Combine(work, "agent.yaml");
        await File.WriteAllTextAsync(config, StationYaml(device, broker.Port, centrifuges, encoding));

        // Readings and payload bytes as they arrive; the first message's arrival marks "first publish".
        long readings = 0, bytes = 0, receiptBytes = 0;
        var first = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Stopwatch();
        var dictionaries = new System.Collections.Concurrent.ConcurrentDictionary<ulong, ChannelDictionary>();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload;
            var topic = e.ApplicationMessage.Topic;
            if (topic.EndsWith("/receipts", StringComparison.Ordinal)) { Interlocked.Add(ref receiptBytes, payload.Length); return Task.CompletedTask; }
            Interlocked.Add(ref bytes, payload.Length);
            if (Topics.TryParseDictionary(topic, out _, out _, out var id))
            {
                if (WireV2.TryParseDictionary(payload.ToArray(), id, 1024, out _) is { } dictionary) dictionaries[id] = dictionary;
                return Task.CompletedTask;
            }
            first.TrySetResult(clock.Elapsed);
            Interlocked.Add(ref readings, CountReadings(payload.ToArray(), device, dictionaries));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId($"footprint-{device}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        foreach (var kind in new[] { "telemetry", "dictionary/+", "receipts" })
            await subscriber.SubscribeAsync($"edgetelemetry/v1/bench/{device}/{kind}", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        string[] agentArgs = ["--config", config, "--Logging:LogLevel:Default=Warning"];
        var (exe, argv) = path.EndsWith(".dll", StringComparison.Ordinal) ? ("dotnet", (string[])[path, .. agentArgs])
            : qemuRootFs is not null ? ("qemu-aarch64-static", ["-L", qemuRootFs, path, .. agentArgs])
            : (path, agentArgs);
        clock.Start();
        var agent = ChildProcess.Start(exe, argv, work, Path.Combine(work, "agent.out"), Path.Combine(work, "agent.err"), env);
        // Resident memory every 250 ms from the start, so the peak covers start-up too. Under qemu the process
        // is the emulator: its own heap (hundreds of MB), code cache and threads are not the agent's, so
        // "guest" RSS counts only the guest's mappings (GuestRssMb).
        var rss = new List<(TimeSpan At, double Mb)>();
        var emulatorMb = 0.0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var (own, total) = qemuRootFs is null ? (StatusMb(agent.Id, "VmRSS:"), 0) : GuestRssMb(agent.Id);
                lock (rss) rss.Add((clock.Elapsed, own));
                emulatorMb = Math.Max(emulatorMb, total);
                try { await Task.Delay(250, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        try
        {
            var firstPublish = await first.Task.WaitAsync(TimeSpan.FromSeconds(qemuRootFs is null ? 60 : 300));
            await Task.Delay(warmup - firstPublish > TimeSpan.Zero ? warmup - firstPublish : TimeSpan.Zero);
            var (cpu0, r0, b0, rb0) = (CpuSeconds(agent.Id), Interlocked.Read(ref readings), Interlocked.Read(ref bytes), Interlocked.Read(ref receiptBytes));
            var disk0 = WriteBytes(agent.Id);
            var from = clock.Elapsed;
            var measured = Stopwatch.StartNew();
            await Task.Delay(window);
            var seconds = measured.Elapsed.TotalSeconds;
            var cpu = (CpuSeconds(agent.Id) - cpu0) / seconds * 100;
            var disk = WriteBytes(agent.Id) - disk0;
            var (r1, b1, rb1) = (Interlocked.Read(ref readings) - r0, Interlocked.Read(ref bytes) - b0, Interlocked.Read(ref receiptBytes) - rb0);
            await sampling.CancelAsync();
            await sampler;
            var steady = rss.Where(r => r.At >= from).Select(r => r.Mb).Order().ToList();
            // Natively VmHWM (the kernel's peak, between samples too); under qemu the largest guest sample.
            var peak = qemuRootFs is null ? StatusMb(agent.Id, "VmHWM:") : rss.Max(r => r.Mb);
            if (qemuRootFs is not null) Console.Error.WriteLine($"  {label}: the emulator process peaked at {emulatorMb:F0} MB resident (its own heap and binary included)");
            return new Result(label, firstPublish.TotalSeconds, steady[steady.Count / 2], peak, cpu, r1 / seconds, r1 == 0 ? double.NaN : (double)b1 / r1,
                r1 == 0 ? double.NaN : (double)rb1 / r1, PublishedBytes(path) / 1e6, r1 == 0 ? double.NaN : (double)disk / r1);
        }
        catch
        {
            Console.Error.WriteLine($"  {label}: agent output in {work} (kept)");
            throw;
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler.ContinueWith(_ => { }, TaskScheduler.Default); // a failed sample (agent gone) is the error above
            await agent.StopAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            await subscriber.DisconnectAsync();
        }
    }

    /// <summary>Bytes the process caused to be written to the block device (/proc/PID/io write_bytes): the buffer's commits, mostly.</summary>
    private static long WriteBytes(int pid) =>
        File.ReadLines($"/proc/{pid}/io").Where(l => l.StartsWith("write_bytes:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>The perf station of issues 11 and 15: simulated centrifuges at 1 s, nothing else.</summary>
    private static string StationYaml(string device, int port, int centrifuges, string encoding)
    {
        var yaml = new System.Text.StringBuilder($"site: bench\ndevice: {device}\nbroker:\n  host: 127.0.0.1\n  port: {port}\nbuffer:\n  path: buffer\npublish:\n  encoding: {encoding}\nsensors:\n");
        for (var i = 1; i <= centrifuges; i++)
            yaml.Append(CultureInfo.InvariantCulture, $"  - driver: simulated\n    equipment: centrifuge-{i}\n    profile: centrifuge\n    intervalMs: 1000\n");
        return yaml.ToString();
    }

    private static long CountReadings(byte[] payload, string device, System.Collections.Concurrent.ConcurrentDictionary<ulong, ChannelDictionary> dictionaries)
    {
        if (WireV2.IsV2(payload))
            return WireV2.TryDecode(payload, "bench", device, id => dictionaries.GetValueOrDefault(id), 100_000, 64 << 20, out _) is { } batch
                ? batch.Samples.Sum(s => (long)s.Readings.Count) : 0;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.GetProperty("samples").EnumerateArray().Sum(s => (long)s.GetProperty("r").GetArrayLength());
        }
        catch (JsonException) { return 0; } // another encoding: bytes still count, readings do not
    }

    /// <summary>
    /// Resident MB of a qemu-user process: the guest's mappings, and all. qemu maps the guest below its own
    /// image and heap (guest binary at 0x55_0000_0000, guest mmaps from 0x40_0000_0000); everything from the
    /// emulator's [heap] or binary upwards is the emulator's (translated-code cache, malloc arenas, host thread stacks).
    /// </summary>
    private static (double Guest, double Total) GuestRssMb(int pid)
    {
        var mappings = new List<(ulong Start, string Name, long Kb)>();
        (ulong Start, string Name) current = (0, "");
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.IndexOf('-') is > 0 and var dash && dash < line.IndexOf(' '))
            {
                var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                current = (ulong.Parse(line[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), f.Length == 6 ? f[5].Trim() : "");
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                mappings.Add((current.Start, current.Name, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)));
        }
        var emulator = mappings.Where(m => m.Name == "[heap]" || m.Name.Contains("qemu-", StringComparison.Ordinal)).Select(m => m.Start).DefaultIfEmpty(ulong.MaxValue).Min();
        return (mappings.Where(m => m.Start < emulator).Sum(m => m.Kb) / 1024.0, mappings.Sum(m => m.Kb) / 1024.0);
    }

    /// <summary>The build's folder without debug symbols; for a .dll, its folder plus nothing of the shared runtime.</summary>
    private static long PublishedBytes(string path) =>
        new DirectoryInfo(Path.GetDirectoryName(path)!).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is not (".pdb" or ".dbg")).Sum(f => f.Length);

    private static string DefaultAgentDll() => Path.Combine(RepoRoot(), "src", "EdgeTelemetry.Agent", "bin", "Release", "net10.0", "EdgeTelemetry.Agent.dll");
}
