using System.Text;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Transfer;

/// <summary>What one bundle import stored.</summary>
public sealed record ImportResult(VerifiedBundle Bundle, long Imported, long Rejected);

/// <summary>InfluxDB stayed unavailable during an import; what was written is kept and a second import is safe.</summary>
public sealed class ImportWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// <c>central import BUNDLE… [--Influx:Url=… …]</c> (docs/offline-transfer.md): verifies a bundle
/// carried in from a site — checksum, structure, header — before writing anything, then stores it
/// through the live ingest core (<see cref="MessageIngest"/>) on the topic the header names: the
/// same validation, clock-skew flag, accounting and dead-lettering as MQTT. The points are identical to the ones
/// the online sync writes later (measurement, tags and timestamp depend only on the sample), so
/// importing twice, or importing and then syncing online, stores each sample once.
/// </summary>
public static class BundleImport
{
    private const string Usage =
        "usage: edgetelemetry-central import <bundle.etbundle>... [--Influx:Url=…] [--Influx:Database=…] …\n" +
        "       (the central's configuration applies: appsettings.json, appsettings.<Environment>.json, environment, command line)";

    private const int MaxAttempts = 6;
    private const int RejectionsShown = 10;

    /// <summary>The command: 0 imported, 3 imported but some samples were rejected, 1 failed (a bad bundle writes nothing), 2 usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var bundles = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (bundles.Count == 0)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        IConfiguration configuration;
        try
        {
            // The central service's own configuration stack (CentralApp.Build uses the same options).
            configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args[bundles.Count..], ContentRootPath = AppContext.BaseDirectory }).Configuration;
        }
        catch (FormatException ex)
        {
            await stderr.WriteLineAsync($"edgetelemetry-central import: {ex.Message}\n{Usage}");
            return 2;
        }
        var influx = configuration.GetSection(InfluxOptions.Section).Get<InfluxOptions>() ?? new InfluxOptions();
        var ingest = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        Devices.DeviceRegistry.Apply(ingest, ingest.DevicesFile);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(influx.RequestTimeoutSeconds) };
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        var layout = new RetentionLayout(Options.Create(retention), Options.Create(influx), Options.Create(ingest));
        var writer = new InfluxWriter(http, Options.Create(influx), layout);
        var stored = new StoredSamples(new InfluxQueryClient(http, Options.Create(influx)), layout);

        var exit = 0;
        foreach (var path in bundles)
        {
            try
            {
                var result = await ImportAsync(path, writer, stored, influx, ingest, TimeProvider.System, stderr, ct);
                var h = result.Bundle.Header;
                await stdout.WriteLineAsync($"imported {result.Imported} samples from {h.Site}/{h.Device} stream {h.Stream} (seq {h.FirstSeq}-{h.LastSeq}), rejected {result.Rejected}");
                await stdout.WriteLineAsync($"  {path}: sha256 {result.Bundle.Sha256} verified; written to {influx.Url} {(influx.Api == InfluxApi.V2 ? $"bucket {influx.Bucket ?? influx.Database}" : $"database {influx.Database}")}" +
                    (result.Rejected > 0 ? "; rejections are in the rejects measurement" : ""));
                if (result.Rejected > 0 && exit == 0) exit = 3;
            }
            catch (BundleFormatException ex)
            {
                await stderr.WriteLineAsync($"edgetelemetry-central import: {ex.Message}; nothing was written from this bundle");
                exit = 1;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"edgetelemetry-central import: {path}: {ex.Message}; nothing was written from this bundle");
                exit = 1;
            }
            catch (ImportWriteException ex)
            {
                await stderr.WriteLineAsync($"edgetelemetry-central import: {path}: {ex.Message}; importing the bundle again is safe (idempotent)");
                exit = 1;
            }
        }
        return exit;
    }

    /// <summary>Verifies the whole bundle, then writes it; a damaged bundle throws <see cref="BundleFormatException"/> before anything is written.</summary>
    /// <param name="stored">What is stored already: a sample that would change it is dead-lettered (conflicting_replay), as live.</param>
    public static async Task<ImportResult> ImportAsync(string path, InfluxWriter writer, StoredSamples stored, InfluxOptions influx, IngestOptions ingest,
        TimeProvider clock, TextWriter log, CancellationToken ct = default)
    {
        var bundle = await BundleReader.VerifyAsync(path, ct);
        var import = new Import(bundle, writer, stored, influx, ingest, clock, log);
        await import.RunAsync(ct);
        return new ImportResult(bundle, import.Imported, import.Rejected);
    }

    private sealed class Import
    {
        private readonly VerifiedBundle bundle;
        private readonly InfluxWriter writer;
        private readonly InfluxOptions influx;
        private readonly TimeProvider clock;
        private readonly TextWriter log;
        // The live ingest core: the same validation, conversion, accounting, replay check and dead-lettering as MQTT.
        // Old timestamps are normal in a bundle (that is why it exists); only the future-skew bound applies, as live.
        private readonly MessageIngest _core;
        private readonly string _name;
        private readonly List<PreparedMessage> _pending = [];
        private int _points, _shown;

        public Import(VerifiedBundle bundle, InfluxWriter writer, StoredSamples stored, InfluxOptions influx, IngestOptions ingest, TimeProvider clock, TextWriter log)
        {
            (this.bundle, this.writer, this.influx, this.clock, this.log) = (bundle, writer, influx, clock, log);
            var delivery = new DeliveryTracker();
            _core = new MessageIngest(new IngestMetrics(), delivery, ingest, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                new ReplayGuard(stored, delivery, ingest.AdditionalMeasurements),
                new Devices.DeviceKeyring(ingest.DevicesFile, TimeSpan.MaxValue, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
            _name = Path.GetFileName(bundle.Path);
        }

        public long Imported { get; private set; }
        public long Rejected { get; private set; }

        public async Task RunAsync(CancellationToken ct)
        {
            await RetryAsync(writer.EnsureDatabaseAsync, ct);
            // The replay check compares with InfluxDB only after what this import prepared before is written.
            var access = new ReplayCheckAccess((_, _, t) => StorePendingAsync(t), RetryAsync); // a bundle is one device
            await foreach (var entry in BundleReader.ReadEntriesAsync(bundle, ct))
            {
                var h = bundle.Header;
                // A wire-v2 dictionary goes through the core as if it came on its topic, so the batches after it decode.
                var topic = entry.DictionaryId is { } id ? Topics.DictionaryFor(h.Site, h.Device, id) : Topics.For(h.Site, h.Device, entry.Kind);
                var prepared = await _core.PrepareAsync(topic, entry.Envelope, clock.GetUtcNow(), access,
                    $"bundle {_name} line {entry.Line}", ct, entry.Signature);
                _pending.Add(prepared);
                _points += prepared.PointCount;
                if (_points >= Math.Max(1, influx.MaxBatchPoints)) await StorePendingAsync(ct);
            }
            await StorePendingAsync(ct);
            if (_shown < Rejected)
                await log.WriteLineAsync($"  … {Rejected - _shown} more rejections from {_name}, all in the rejects measurement");
        }

        private async Task StorePendingAsync(CancellationToken ct)
        {
            var batch = _pending.ToList();
            _pending.Clear();
            _points = 0;
            if (batch.Count == 0) return;
            await _core.StoreAsync(batch, writer, RetryAsync, ct);
            foreach (var item in batch)
            {
                if (item.RefusedByDatabase is { } refused)
                    await CountAsync(0, item.Accepted + item.RefusedSamples, [refused with { Detail = $"{refused.Detail} [bundle {_name}]" }]);
                else
                    await CountAsync(item.Accepted, item.RefusedSamples, item.Rejections);
                item.Dispose();
            }
        }

        private async Task CountAsync(long imported, long rejected, IEnumerable<Rejection> rejections)
        {
            Imported += imported;
            Rejected += rejected;
            foreach (var r in rejections)
            {
                if (_shown >= RejectionsShown) break;
                _shown++;
                await log.WriteLineAsync($"  rejected {(r.Seq is { } seq ? $"seq {seq}" : "envelope")}: {r.Code}: {r.Detail}");
            }
        }

        /// <summary>A few attempts with backoff (Retry-After honoured), then give up: unlike live ingest, nobody waits on an ack here.</summary>
        private async Task RetryAsync(Func<CancellationToken, Task> write, CancellationToken ct)
        {
            var delay = TimeSpan.FromMilliseconds(500);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await write(ct);
                    return;
                }
                catch (Exception ex) when (ex is TransientWriteException or InfluxUnavailableException && attempt < MaxAttempts)
                {
                    var wait = (ex as TransientWriteException)?.RetryAfter ?? delay;
                    await log.WriteLineAsync($"  InfluxDB write failed (attempt {attempt} of {MaxAttempts}): {ex.Message}; retrying in {wait.TotalSeconds:F1} s");
                    await Task.Delay(wait, clock, ct);
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, Math.Max(1, influx.RetryMaxDelaySeconds)));
                }
                catch (Exception ex) when (ex is TransientWriteException or InfluxUnavailableException)
                {
                    throw new ImportWriteException($"InfluxDB failed {MaxAttempts} times ({ex.Message}); {Imported} of {bundle.Header.Samples} samples were stored before", ex);
                }
            }
        }
    }

}
