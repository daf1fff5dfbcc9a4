using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using MQTTnet;
using MQTTnet.Protocol;
using static EdgeTelemetry.Benchmarks.BenchTools;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// End to end against the database's own ceiling, one run, same machine, same samples:
/// <list type="bullet">
/// <item>ceiling: the samples as line protocol POSTed straight to influxd, 5,000 points per request, 2 connections;</item>
/// <item>end to end: the same samples as agent messages published at QoS 1 to mosquitto (unbounded
/// queues) → the central service (its own process, Release build) → influxd, timed from the first
/// publish until the central service has stored them all, then checked with a COUNT.</item>
/// </list>
/// Two shapes: 20 devices × 100 messages × 200 samples, and 100 devices × 200 messages × 10 samples; each in
/// both encodings ("--encodings json,v2"): v1 JSON, and wire v2 as the agent publishes it by default (each device's
/// dictionary retained on its dictionary topic first, then its batches with the v2 content type; unsigned, as a
/// device without an enrolled key is stored where signatures are permissive, the central's default).
/// The central service's peak RSS (VmHWM) is read from /proc when each run ends.
/// </summary>
public static class EndToEnd
{
    private sealed record Shape(string Name, int Devices, int MessagesPerDevice, int SamplesPerMessage)
    {
        public long Samples => (long)Devices * MessagesPerDevice * SamplesPerMessage;
    }

    /// <summary>One MQTT publish (QoS 1): a batch, or a v2 dictionary (retained).</summary>
    private sealed record Message(string Topic, byte[] Payload, string ContentType, bool Retain = false);

    private const string Json = "json", V2 = "v2";

    public static async Task<int> RunAsync(string[] args)
    {
        var scale = double.Parse(Option(args, "--scale") ?? "1", CultureInfo.InvariantCulture);
        // "--central-dll <path>": another build of the central service (e.g. a worktree of an earlier commit), for before/after.
        _centralDll = Option(args, "--central-dll") is { } dll ? Path.GetFullPath(dll) : _centralDll; // the instances run in a directory of their own
        var extra = Option(args, "--central-args")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        // "--instances 1,2": each shape end to end with one instance, then two in one shared-subscription group.
        // "--central-env DOTNET_GCgen0size=0x2000000": runtime settings for the central instances only.
        var env = (Option(args, "--central-env") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToDictionary(e => e.Split('=', 2)[0], e => e.Split('=', 2)[1]);
        var instances = (Option(args, "--instances") ?? "1").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        // "--encodings json,v2" (default both): what the end-to-end path publishes, v1 JSON and/or wire v2.
        var encodings = (Option(args, "--encodings") ?? $"{Json},{V2}").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (encodings.Length == 0 || encodings.Any(e => e is not (Json or V2))) throw new ArgumentException($"--encodings takes {Json} and/or {V2}, comma-separated");
        Shape[] shapes =
        [
            new("200 samples/message", 20, (int)(100 * scale), 200),
            new("10 samples/message", 100, (int)(200 * scale), 10),
        ];
        var overrides = new Dictionary<string, string> { ["max_queued_messages"] = "0", ["max_queued_bytes"] = "0" }; // 0 = unbounded
        foreach (var o in Option(args, "--broker-args")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])
            overrides[o.Split('=')[0]] = o.Split('=', 2)[1];
        await using var broker = await MosquittoServer.StartAsync(overrides);
        await using var influx = await InfluxDbServer.StartAsync();
        Console.WriteLine($"mosquitto on {broker.Port}, influxd on {influx.Url}; central: {CentralDll()}");
        Console.WriteLine();
        Console.WriteLine("| shape | encoding | central instances | samples | payload B/message | ceiling samples/s | end-to-end samples/s | ratio | central CPU µs/sample | central peak RSS MB (largest instance) | stored (checked) | CPU µs/sample ceiling: influxd + poster | end to end: influxd + mosquitto + publisher + central | CPU ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var only = Option(args, "--shape");
        var round = 0;
        foreach (var shape in shapes)
        {
            round++;
            if (only is not null && only != round.ToString(CultureInfo.InvariantCulture)) continue;
            var (ceiling, ceilingInflux, ceilingPoster) = await CeilingAsync(influx, shape, $"ceil{round}");
            foreach (var encoding in encodings)
            foreach (var n in instances)
            {
                var r = await EndToEndAsync(broker, influx, shape, encoding, $"e2e{round}{encoding}x{n}", n, extra, env);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {shape.Name} ({shape.Devices} devices) | {encoding} | {n} | {shape.Samples:N0} | {r.PayloadBytes:N0} | {ceiling:N0} | {r.Rate:N0} | {r.Rate / ceiling:F2} | {r.CpuMicrosPerSample:F1} | {r.PeakRssMb:F0} | {r.Stored:N0} of {shape.Samples:N0} | {ceilingInflux:F1} + {ceilingPoster:F1} | {r.InfluxCpu:F1} + {r.BrokerCpu:F1} + {r.PublisherCpu:F1} + {r.CpuMicrosPerSample:F1} | {(ceilingInflux + ceilingPoster) / (r.InfluxCpu + r.BrokerCpu + r.PublisherCpu + r.CpuMicrosPerSample):F2} |"));
            }
        }
        return 0;
    }

    /// <summary>The samples of one device's message number <paramref name="m"/> (seq continues across messages).</summary>
    private static List<Sample> Samples(Shape shape, int device, int m)
    {
        var rnd = new Random(device * 100_003 + m);
        var t0 = Time.ToUnixNanoseconds(SampleData.Start);
        var first = (long)m * shape.SamplesPerMessage + 1;
        return Enumerable.Range(0, shape.SamplesPerMessage)
            .Select(i => new Sample(first + i, t0 + (first + i) * 100_000_000L, "centrifuge", $"icon-i150-{device:D3}", SampleData.CentrifugeReadings(rnd)))
            .ToList();
    }

    private static string DeviceId(int d) => $"centrifuge-{d:D3}";

    /// <summary>Samples/s, and the CPU µs per sample of influxd and of this process (the poster) while timed.</summary>
    private static async Task<(double Rate, double InfluxCpu, double PosterCpu)> CeilingAsync(InfluxDbServer influx, Shape shape, string db)
    {
        await influx.ExecuteAsync($"CREATE DATABASE {db}");
        // Bodies built before timing: the ceiling is the database's, not our encoder's.
        var bodies = new List<byte[]>();
        using var sb = new LineBuffer();
        var points = 0;
        for (var m = 0; m < shape.MessagesPerDevice; m++)
        for (var d = 0; d < shape.Devices; d++)
        {
            foreach (var s in Samples(shape, d, m)) LineProtocolWriter.Append(sb, SamplePoints.ToPoint(SampleData.Site, DeviceId(d), s));
            points += shape.SamplesPerMessage;
            if (points >= 5000) { bodies.Add(sb.WrittenSpan.ToArray()); sb.Clear(); points = 0; }
        }
        if (sb.Length > 0) bodies.Add(sb.WrittenSpan.ToArray());

        using var http = new HttpClient { BaseAddress = influx.Url, Timeout = TimeSpan.FromMinutes(2) };
        var next = -1;
        var influxPid = ChildPid("influxd");
        var (influx0, self0) = (CpuSeconds(influxPid), CpuSeconds(Environment.ProcessId));
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                using var r = await http.PostAsync($"write?db={db}&precision=ns", content);
                r.EnsureSuccessStatusCode();
            }
        }));
        var rate = shape.Samples / sw.Elapsed.TotalSeconds;
        var (influxCpu, selfCpu) = (CpuSeconds(influxPid) - influx0, CpuSeconds(Environment.ProcessId) - self0);
        var stored = await influx.CountAsync(db, "SELECT COUNT(seq) FROM centrifuge");
        if (stored != shape.Samples) throw new InvalidOperationException($"ceiling run stored {stored} of {shape.Samples}");
        return (rate, influxCpu * 1e6 / shape.Samples, selfCpu * 1e6 / shape.Samples);
    }

    /// <summary>CPU figures are µs per sample over the timed part: the central instances, influxd, mosquitto, and this process publishing.</summary>
    private sealed record Result(double Rate, double PeakRssMb, long Stored, double CpuMicrosPerSample, double PayloadBytes, double InfluxCpu, double BrokerCpu, double PublisherCpu);

    /// <summary>
    /// One device's messages <paramref name="from"/>..<paramref name="to"/>, encoded as its publisher would: v1 JSON, or v2
    /// with the device's own <see cref="WireV2Encoder"/> (kept in <paramref name="v2"/> across calls, so its dictionary
    /// spans every batch it encoded).
    /// </summary>
    private static IEnumerable<Message> Batches(Shape shape, string encoding, int d, string device, int m, Dictionary<string, WireV2Encoder> v2)
    {
        var topic = Topics.For(SampleData.Site, device, TopicKind.Telemetry);
        var samples = Samples(shape, d, m);
        var sentNs = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow);
        if (encoding == Json)
            return [new(topic, BatchCodec.Encode(BatchCodec.ToBatch(SampleData.Site, device, SampleData.Stream, SampleData.AgentVersion, samples, sentNs)), "application/json")];
        if (!v2.TryGetValue(device, out var encoder)) v2[device] = encoder = new WireV2Encoder(SampleData.Stream, SampleData.AgentVersion);
        return [new(topic, encoder.Encode(samples, sentNs, out _), WireV2.ContentType)];
    }

    /// <summary>The dictionaries the batches name, retained on each device's dictionary topic: published before the batches, as the agent does.</summary>
    private static List<Message> Dictionaries(Dictionary<string, WireV2Encoder> v2) =>
        v2.Select(e => new Message(Topics.DictionaryFor(SampleData.Site, e.Key, e.Value.DictionaryId), e.Value.DictionaryPayload, "application/octet-stream", Retain: true)).ToList();

    private static async Task<Result> EndToEndAsync(MosquittoServer broker, InfluxDbServer influx, Shape shape, string encoding, string db, int instances, string[] extra, IReadOnlyDictionary<string, string> env)
    {
        var work = Directory.CreateTempSubdirectory("et-e2e-").FullName;
        var centrals = new List<(ChildProcess Process, int Port)>();
        for (var i = 0; i < instances; i++)
        {
            var port = ChildProcess.FreePort();
            centrals.Add((ChildProcess.Start("dotnet",
            [
                CentralDll(), "--urls", $"http://127.0.0.1:{port}",
                // Own group per run: the previous run's stopped session stays in its group and would take a share.
                $"--Ingest:BrokerPort={broker.Port}", $"--Ingest:ClientId=e2e-{db}-{i}", $"--Ingest:SharedGroup=bench-{db}", $"--Influx:Url={influx.Url}", $"--Influx:Database={db}",
                "--Logging:LogLevel:Default=Warning", "--Api:Keys:0:Name=bench", "--Api:Keys:0:Key=bench-key-" + Guid.NewGuid().ToString("N"), "--Api:Keys:0:Role=operator",
                .. extra,
            ], work, Path.Combine(work, $"central{i}.out"), Path.Combine(work, $"central{i}.err"), env), port));
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Result result;
        try
        {
            foreach (var (_, port) in centrals)
                await WaitAsync(async () => await StatusAsync(http, $"http://127.0.0.1:{port}/healthz") == 200, TimeSpan.FromSeconds(60), "central /healthz");
            // Payloads built before timing, as agents would have them ready.
            (List<Message> Dictionaries, List<Message> Batches) Payloads(Func<int, string> device, int messages, int from = 0)
            {
                var payloads = new List<Message>();
                var v2 = new Dictionary<string, WireV2Encoder>(StringComparer.Ordinal);
                for (var m = from; m < from + messages; m++)
                for (var d = 0; d < shape.Devices; d++)
                    payloads.AddRange(Batches(shape, encoding, d, device(d), m, v2));
                return (Dictionaries(v2), payloads);
            }
            var (dictionaries, payloads) = Payloads(DeviceId, shape.MessagesPerDevice);

            double Cpu() => centrals.Sum(c => CpuSeconds(c.Process.Id));
            long deferred = 0;
            async Task<long> StoredByAllAsync()
            {
                long n = 0, d = 0;
                foreach (var (_, port) in centrals)
                {
                    var counters = await CountersAsync(http, port, "edgetelemetry_samples_stored_total", "edgetelemetry_deferred_total");
                    n += counters[0];
                    d += counters[1];
                }
                deferred = d;
                return n;
            }
            // Warm-up, untimed, so the figures are the service's steady state rather than its start (a central service
            // runs for months): rounds of a quarter of the load from other devices (the same ones each round, their seqs
            // going on, as a fleet's would) until a round's JIT compilation is under 2 % of its time. Tiered compilation re-compiles hot methods for a while after a start; in one
            // round it was ~45 % of the central's CPU (perf), which measured the JIT rather than ingest.
            long warmSamples = 0;
            for (var w = 0; w < MaxWarmupRounds; w++)
            {
                var jit0 = await JitSecondsAsync(http, centrals.Select(c => c.Port));
                var round = Stopwatch.StartNew();
                var quarter = Math.Max(1, shape.MessagesPerDevice / 4);
                var warm = Payloads(d => "warmup-" + DeviceId(d), quarter, w * quarter);
                await PublishAsync(broker, warm.Dictionaries);
                await PublishAsync(broker, warm.Batches);
                warmSamples += (long)warm.Batches.Count * shape.SamplesPerMessage;
                await WaitAsync(async () => await StoredByAllAsync() >= warmSamples, TimeSpan.FromMinutes(Math.Max(1, warmSamples / 20_000.0)), "warm-up stored");
                var jit = await JitSecondsAsync(http, centrals.Select(c => c.Port)) - jit0;
                Console.Error.WriteLine($"  warm-up round {w + 1}: {round.Elapsed.TotalSeconds:F1} s, JIT {jit:F2} s");
                if (jit < 0.02 * round.Elapsed.TotalSeconds * centrals.Count) break;
            }
            var jitBefore = await JitSecondsAsync(http, centrals.Select(c => c.Port));
            var (influxPid, brokerPid) = (ChildPid("influxd"), broker.ProcessId ?? -1);
            var (cpu0, influx0, broker0, self0) = (Cpu(), CpuSeconds(influxPid), CpuSeconds(brokerPid), CpuSeconds(Environment.ProcessId));
            var sw = Stopwatch.StartNew();
            // Dictionaries first, each PUBACKed before any batch naming it goes (the agent's order on a new connection).
            await PublishAsync(broker, dictionaries);
            await PublishAsync(broker, payloads);
            var published = sw.Elapsed.TotalSeconds;
            await WaitAsync(async () => await StoredByAllAsync() >= warmSamples + shape.Samples, TimeSpan.FromMinutes(Math.Max(1, shape.Samples / 20_000.0)), "every sample stored",
                () => deferred > 0 ? $"{deferred} v2 batches deferred (dictionary not there first): the bench does not re-send them as an agent would" : null);
            var elapsed = sw.Elapsed.TotalSeconds;
            var rate = shape.Samples / elapsed;
            var cpu = Cpu() - cpu0;
            var jitTimed = await JitSecondsAsync(http, centrals.Select(c => c.Port)) - jitBefore;
            long replayChecks = 0;
            foreach (var (_, port) in centrals) replayChecks += (await CountersAsync(http, port, "edgetelemetry_replay_checks_total"))[0];
            var (influxCpu, brokerCpu, selfCpu) = (CpuSeconds(influxPid) - influx0, CpuSeconds(brokerPid) - broker0, CpuSeconds(Environment.ProcessId) - self0);
            var rss = centrals.Max(c => StatusMb(c.Process.Id, "VmHWM:"));
            var stored = await influx.CountAsync(db, "SELECT COUNT(seq) FROM \"raw\".centrifuge WHERE device !~ /^warmup/");
            Console.Error.WriteLine($"  {shape.Name}, {encoding}, {instances} instance(s): published in {published:F1} s, stored after {elapsed:F1} s; central CPU {cpu / elapsed * 100:F0} % of a core, of it JIT {jitTimed:F2} s; replay checks since start {replayChecks}; peak RSS MB {string.Join(" / ", centrals.Select(c => StatusMb(c.Process.Id, "VmHWM:").ToString("F0", CultureInfo.InvariantCulture)))}");
            result = new(rate, rss, stored, cpu * 1e6 / shape.Samples, payloads.Average(p => p.Payload.Length),
                influxCpu * 1e6 / shape.Samples, brokerCpu * 1e6 / shape.Samples, selfCpu * 1e6 / shape.Samples);
        }
        catch
        {
            Console.Error.WriteLine($"  central logs: {work} (kept)");
            foreach (var (process, _) in centrals) await process.StopAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            throw;
        }
        foreach (var (process, _) in centrals) await process.StopAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        if (Environment.GetEnvironmentVariable("E2E_KEEP_LOGS") is not null) Console.Error.WriteLine($"  central logs: {work}");
        else try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        return result;
    }

    /// <summary>Four publisher connections, up to 64 publishes in flight each (QoS 1, PUBACK awaited).</summary>
    private static async Task PublishAsync(MosquittoServer broker, List<Message> payloads)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId($"bench-pub-{c}").Build());
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < payloads.Count)
                {
                    var r = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(payloads[i].Topic).WithPayload(payloads[i].Payload)
                        .WithContentType(payloads[i].ContentType).WithRetainFlag(payloads[i].Retain)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                    if (r.ReasonCode != MqttClientPublishReasonCode.Success) throw new InvalidOperationException($"publish refused: {r.ReasonCode}");
                }
            }));
            await client.DisconnectAsync();
        }));
    }

    private const int MaxWarmupRounds = 8;

    /// <summary>Seconds the instances' JIT has spent compiling since they started (dotnet_jit_compilation_seconds_total, summed).</summary>
    private static async Task<double> JitSecondsAsync(HttpClient http, IEnumerable<int> ports)
    {
        double total = 0;
        foreach (var port in ports)
        {
            var lines = (await http.GetStringAsync($"http://127.0.0.1:{port}/metrics")).Split('\n');
            total += Value(lines, "dotnet_jit_compilation_seconds_total") ?? throw new InvalidOperationException($"the central on {port} reports no JIT time");
        }
        return total;
    }

    /// <summary>Counters from one read of a central instance's /metrics (0 for each while it does not answer).</summary>
    private static async Task<long[]> CountersAsync(HttpClient http, int port, params string[] names)
    {
        string[] lines;
        try { lines = (await http.GetStringAsync($"http://127.0.0.1:{port}/metrics")).Split('\n'); }
        catch (HttpRequestException) { return new long[names.Length]; }
        catch (TaskCanceledException) { return new long[names.Length]; }
        return names.Select(name => (long)(Value(lines, name) ?? 0)).ToArray();
    }

    /// <summary>The value of a metric without labels in Prometheus text, or null when it is not there.</summary>
    private static double? Value(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) : null;

    private static async Task<int> StatusAsync(HttpClient http, string url)
    {
        try { using var r = await http.GetAsync(url); return (int)r.StatusCode; }
        catch (HttpRequestException) { return 0; }
        catch (TaskCanceledException) { return 0; }
    }

    /// <param name="failure">Checked after each look: a reason the condition can no longer come true, to stop at once.</param>
    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string?>? failure = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {what}");
            if (failure?.Invoke() is { } reason) throw new InvalidOperationException($"waiting for {what}: {reason}");
            await Task.Delay(100);
        }
    }

    private static string? _centralDll;

    internal static string CentralDll()
    {
        if (_centralDll is not null) return File.Exists(_centralDll) ? _centralDll : throw new FileNotFoundException("--central-dll not found", _centralDll);
        var dll = Path.Combine(RepoRoot(), "src", "EdgeTelemetry.Central", "bin", "Release", "net10.0", "EdgeTelemetry.Central.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the central service first: dotnet build -c Release", dll);
    }
}
