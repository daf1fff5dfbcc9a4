using System.Diagnostics;
using System.IO.Compression;
using EdgeTelemetry.Agent.Transfer;
using EdgeTelemetry.Central.Transfer;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>docs/offline-transfer.md against real mosquitto and influxd.</summary>
public class OfflineTransferTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Device = "cf-x";

    [Fact]
    public async Task Bundle_carried_to_town_imports_idempotently_and_the_later_online_sync_adds_nothing()
    {
        await using var plant = await Plant.StartAsync();
        await plant.Broker.StopAsync(); // no link at the site: nothing can be sent
        var config = plant.AgentConfig(Device, "centrifuge", intervalMs: 20);
        using var agent = await plant.StartAgentFromAsync(config);
        var bufferPath = plant.BufferPath(Device);
        await Eventually.TrueAsync(async () => (await Plant.ReadBufferFileAsync(bufferPath)).MaxSeq >= 300, Patience, "300 samples buffered offline");

        // The technician exports beside the running agent (a read-only reader in the agent's WAL).
        var usb = Path.Combine(plant.Dir, "usb");
        var log = new StringWriter();
        Assert.Equal(0, await BundleExport.RunAsync(["--config", config, "--out", usb], log, log));
        var bundlePath = Assert.Single(Directory.GetFiles(usb));
        var bundle = await BundleReader.VerifyAsync(bundlePath);
        Assert.Equal(2, bundle.Header.Version); // wire-v2 batches by default
        var exportedSeqs = await SeqsAsync(bundle);
        Assert.Equal(bundle.Header.Samples, exportedSeqs.Count);
        // The same buffer as a version-1 bundle (v1 JSON), for a central service that predates version 2.
        var usbV1 = Path.Combine(plant.Dir, "usb-v1");
        Assert.Equal(0, await BundleExport.RunAsync(["--config", config, "--out", usbV1, "--bundle-version", "1"], log, log));
        var bundleV1 = await BundleReader.VerifyAsync(Assert.Single(Directory.GetFiles(usbV1)));
        Assert.Equal(1, bundleV1.Header.Version);
        Assert.Equal(exportedSeqs.Order(), (await SeqsAsync(bundleV1)).Where(s => s <= bundle.Header.LastSeq).Order());
        Assert.True(bundle.Header.Samples >= 300);
        Assert.Equal(Enumerable.Range(1, exportedSeqs.Count).Select(i => (long)i), exportedSeqs.Order()); // nothing was sent, so all of 1..n
        var afterExport = await Plant.ReadBufferFileAsync(bufferPath);
        Assert.Equal(afterExport.MaxSeq, afterExport.Unreceipted); // export marks nothing sent (and the agent kept sampling)
        Assert.True(afterExport.MaxSeq >= bundle.Header.LastSeq);

        // In town: import into the central's InfluxDB.
        string[] influx = [$"--Influx:Url={plant.Influx.Url}", $"--Influx:Database={Plant.Database}"];
        Assert.Equal(0, await BundleImport.RunAsync([bundlePath, .. influx], log, log));
        Assert.Equal(exportedSeqs.Order(), (await plant.StoredSeqsAsync(Device)).Order());

        // The version-1 bundle of the same samples imports too, and adds nothing new among them.
        Assert.Equal(0, await BundleImport.RunAsync([bundleV1.Path, .. influx], log, log));
        Assert.Equal((await SeqsAsync(bundleV1)).Order(), (await plant.StoredSeqsAsync(Device)).Order());

        // Importing again — here through the central's own command line — adds nothing.
        var (exit, cli) = await RunCentralAsync(["import", bundlePath, .. influx]);
        Assert.True(exit == 0, cli);
        Assert.Contains($"imported {bundle.Header.Samples} samples from {Plant.Site}/{Device} stream {bundle.Header.Stream} (seq 1-{bundle.Header.LastSeq}), rejected 0", cli);
        Assert.Equal((await SeqsAsync(bundleV1)).Order(), (await plant.StoredSeqsAsync(Device)).Order());

        // A damaged copy is refused before anything is written.
        var damaged = Path.Combine(plant.Dir, "damaged" + Bundle.Extension);
        await DamageAsync(bundlePath, damaged);
        var damagedLog = new StringWriter();
        Assert.Equal(1, await BundleImport.RunAsync([damaged, .. influx], damagedLog, damagedLog));
        Assert.Contains($"{damaged}:", damagedLog.ToString());
        Assert.Contains("nothing was written", damagedLog.ToString());
        Assert.Equal(bundleV1.Header.Samples, await plant.StoredCountAsync(Device));

        // The link comes back: the agent sends everything it holds, the imported samples included.
        await plant.Broker.StartAgainAsync();
        plant.Own(await plant.StartCentralAsync());
        var buffer = Plant.BufferOf(agent);
        await Eventually.TrueAsync(async () => (await buffer.CountAsync()).Sent >= bundle.Header.LastSeq + 50, Patience, "online sync of the backlog and new samples");
        await agent.StopAsync(); // drains what is left
        var counts = await buffer.CountAsync();
        Assert.Equal(0, counts.Unsent);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(Device) >= counts.Sampled, Patience, $"all {counts.Sampled} stored",
            async () => $"{await plant.StoredCountAsync(Device)} stored");
        Assert.Equal(Enumerable.Range(1, (int)counts.Sampled).Select(i => (long)i), (await plant.StoredSeqsAsync(Device)).Order()); // each once

        var size = new FileInfo(bundlePath).Length;
        var sizeV1 = new FileInfo(bundleV1.Path).Length;
        output.WriteLine($"{log}{cli}{damagedLog}bundle: {bundle.Header.Samples} samples ({bundle.Header.Kinds.Telemetry} telemetry, {bundle.Header.Kinds.Events} events) " +
            $"in {size} bytes = {size / (double)bundle.Header.Samples:F1} bytes/sample (version 2); version 1: {bundleV1.Header.Samples} samples in {sizeV1} bytes = " +
            $"{sizeV1 / (double)bundleV1.Header.Samples:F1} bytes/sample; after the online sync {counts.Sampled} stored, each once");
        Assert.True(size / (double)bundle.Header.Samples < sizeV1 / (double)bundleV1.Header.Samples, "a version-2 bundle is smaller per sample");
    }

    /// <summary>The seqs a bundle's envelopes carry, v1 JSON or wire v2.</summary>
    private static async Task<List<long>> SeqsAsync(VerifiedBundle bundle)
    {
        var seqs = new List<long>();
        await foreach (var entry in BundleReader.ReadEntriesAsync(bundle))
        {
            if (entry.DictionaryId is not null) continue;
            if (WireV2.IsV2(entry.Envelope)) seqs.AddRange(WireV2.TryReadSeqs(entry.Envelope, 100_000, 1 << 24, out _, out var s) ? s : throw new InvalidDataException("not v2"));
            else seqs.AddRange(BatchCodec.TryDecode(entry.Envelope, out _)!.Samples!.Select(s => s.Seq));
        }
        return seqs;
    }

    [Fact]
    public async Task Import_accepts_old_samples_and_sends_future_ones_to_the_dead_letter_store_like_live_ingest()
    {
        await using var plant = await Plant.StartAsync();
        var now = DateTimeOffset.UtcNow;
        Model.Sample At(long seq, DateTimeOffset t) => new(seq, Model.Time.ToUnixNanoseconds(t), "centrifuge", "centrifuge-1",
            [new Model.Reading("bowl_speed", 400 + seq, Model.Units.Rpm)]);
        var header = new BundleHeader
        {
            Site = Plant.Site, Device = "cf-old", Stream = "s-1", Created = now, Samples = 3, FirstSeq = 1, LastSeq = 3, Seqs = "1-3",
            Kinds = new BundleKinds { Telemetry = 3 },
        };
        var path = Path.Combine(plant.Dir, Bundle.FileName(header));
        await using (var file = File.Create(path))
        await using (var writer = await BundleWriter.StartAsync(file, header))
        {
            // Ten days old (a long outage), a year old, and two hours in the future (beyond the 60 min skew).
            await writer.WriteEnvelopeAsync(TopicKind.Telemetry, BatchCodec.Encode(BatchCodec.ToBatch(Plant.Site, "cf-old", "s-1", "0.1.0",
                [At(1, now.AddDays(-10)), At(2, now.AddYears(-1)), At(3, now.AddHours(2))])));
            await writer.CompleteAsync();
        }

        var log = new StringWriter();
        var exit = await BundleImport.RunAsync([path, $"--Influx:Url={plant.Influx.Url}", $"--Influx:Database={Plant.Database}"], log, log);

        Assert.True(exit == 3, log.ToString()); // imported, with rejections
        Assert.Contains($"imported 2 samples from {Plant.Site}/cf-old stream s-1 (seq 1-3), rejected 1", log.ToString());
        Assert.Equal([1L, 2L], (await plant.StoredSeqsAsync("cf-old")).Order());
        var rejects = await plant.Influx.QueryAsync(Plant.Database, "SELECT seq, detail, reason FROM rejects WHERE device = 'cf-old'");
        var reject = Assert.Single(rejects);
        Assert.Equal(3L, Convert.ToInt64(reject[1]));
        Assert.Contains($"[bundle {Path.GetFileName(path)} line 2]", (string)reject[2]!);
        Assert.Equal("timestamp_out_of_range", reject[3]);
        var delivery = await plant.Influx.QueryAsync(Plant.Database, "SELECT ranges, \"count\" FROM delivery WHERE device = 'cf-old'");
        Assert.Equal("1-3", Assert.Single(delivery)[1]); // the central's delivery summary counts them as received
        output.WriteLine(log.ToString());
    }

    /// <summary>Recompresses the bundle with one batch byte changed (a base64 character of a v2 line): valid gzip, valid JSON, wrong checksum.</summary>
    private static async Task DamageAsync(string from, string to)
    {
        string text;
        await using (var gz = new GZipStream(File.OpenRead(from), CompressionMode.Decompress))
            text = await new StreamReader(gz).ReadToEndAsync();
        var at = text.IndexOf("\"v2\":\"", StringComparison.Ordinal) + 12;
        text = text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..];
        await using var outGz = new GZipStream(File.Create(to), CompressionLevel.Fastest);
        await using var w = new StreamWriter(outGz);
        await w.WriteAsync(text);
    }

    /// <summary>Runs the built central app (EdgeTelemetry.Central.dll) as the operator would.</summary>
    private static async Task<(int Exit, string Output)> RunCentralAsync(string[] args)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) dir = dir.Parent;
        var config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dll = Path.Combine(dir!.FullName, "src", "EdgeTelemetry.Central", "bin", config, "net10.0", "EdgeTelemetry.Central.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
