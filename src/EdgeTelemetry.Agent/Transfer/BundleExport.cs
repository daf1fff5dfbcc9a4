using System.Globalization;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Transfer;

/// <summary>What one export wrote.</summary>
public sealed record ExportResult(string Path, BundleHeader Header, string Sha256, long Bytes, long Envelopes, long WaitingForClock);

/// <summary>
/// <c>agent export --config agent.yaml --out DIR [--all | --from T --to T]</c> (docs/offline-transfer.md):
/// writes the buffer's unsent samples (or every retained one, or those sampled in [from, to)) to one
/// bundle for a USB stick. The buffer is only read — rows are not marked sent: the online sync sends
/// them again later and InfluxDB keeps one point per sample.
/// </summary>
public static class BundleExport
{
    /// <summary>Samples per envelope, as the wire carries them (the publisher's default batch).</summary>
    public const int MaxSamplesPerEnvelope = 200;

    public static readonly string AgentVersion = typeof(BundleExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private const string Usage = "usage: edgetelemetry-agent export --config <agent.yaml> --out <dir> [--all | --from <RFC3339> --to <RFC3339>] [--bundle-version 2|1]";

    /// <summary>The command: 0 exported (or nothing to export), 1 failed, 2 usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        string config, outDir;
        ExportSelection selection;
        string[] overrides;
        int version;
        try
        {
            (config, outDir, selection, overrides, version) = ParseArgs(args);
        }
        catch (ArgumentException ex)
        {
            await stderr.WriteLineAsync($"edgetelemetry-agent export: {ex.Message}\n{Usage}");
            return 2;
        }
        try
        {
            if (!File.Exists(config)) throw new FileNotFoundException($"config file '{config}' not found");
            var options = AgentConfigLoader.Load(AgentConfigLoader.Build(config, overrides), config);
            var result = await ExportAsync(options, selection, outDir, ct, version);
            if (result is null)
            {
                await stdout.WriteLineAsync($"nothing to export: no {Describe(selection)} samples in {Path.GetFullPath(options.Buffer.Path)}");
                return 0;
            }
            var h = result.Header;
            await stdout.WriteLineAsync($"exported {h.Samples} samples (seq {h.FirstSeq}-{h.LastSeq}) to {result.Path}, sha256 {result.Sha256}");
            await stdout.WriteLineAsync($"  {h.Site}/{h.Device} stream {h.Stream}: telemetry {h.Kinds.Telemetry}, events {h.Kinds.Events}, seqs {h.Seqs}; " +
                $"{result.Bytes} bytes gzip'd ({(double)result.Bytes / h.Samples:F1} bytes/sample)");
            if (result.WaitingForClock > 0)
                await stdout.WriteLineAsync($"  {result.WaitingForClock} samples wait for a trustworthy clock and were not exported (their time is not known yet)");
            var keyPath = options.Signing.KeyPath(options.Buffer);
            await stdout.WriteLineAsync(options.Signing.Enabled && File.Exists(keyPath)
                ? $"  every envelope signed with the device key {keyPath}"
                : "  unsigned (no device key): a central service with this device's key enrolled refuses its envelopes (unsigned_batch)");
            await stdout.WriteLineAsync("  nothing was marked sent: the agent still sends these samples when its link returns, and InfluxDB keeps one point per sample, so importing the bundle as well creates no duplicates");
            return 0;
        }
        catch (ConfigurationException ex)
        {
            await stderr.WriteLineAsync($"edgetelemetry-agent export: {config}: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or SqliteException or FormatException or System.Text.Json.JsonException)
        {
            await stderr.WriteLineAsync($"edgetelemetry-agent export: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Writes the bundle into <paramref name="outDir"/>; null when the selection is empty (no file is written).</summary>
    /// <param name="bundleVersion">2 (default): wire-v2 batches, ~4× smaller; 1: v1 JSON, for a central service that predates version 2.</param>
    public static async Task<ExportResult?> ExportAsync(AgentOptions options, ExportSelection selection, string outDir, CancellationToken ct = default,
        int bundleVersion = BundleHeader.CurrentVersion)
    {
        await using var snapshot = await BufferSnapshot.OpenAsync(options.Buffer.Path, selection, ct);
        var summary = await snapshot.SummarizeAsync(ct);
        if (summary.Samples == 0) return null;

        var header = new BundleHeader
        {
            Version = bundleVersion,
            Site = options.Site,
            Device = options.Device,
            Stream = summary.StreamId,
            AgentVersion = AgentVersion,
            Created = DateTimeOffset.UtcNow,
            Selection = selection.Mode.ToString().ToLowerInvariant(),
            From = selection is { Mode: ExportMode.Range, FromNs: not long.MinValue } ? Time.FromUnixNanoseconds(selection.FromNs) : null,
            To = selection is { Mode: ExportMode.Range, ToNs: not long.MaxValue } ? Time.FromUnixNanoseconds(selection.ToNs) : null,
            Samples = summary.Samples,
            FirstSeq = summary.FirstSeq,
            LastSeq = summary.LastSeq,
            Seqs = summary.Seqs,
            Kinds = new BundleKinds { Telemetry = summary.Samples - summary.Events, Events = summary.Events },
        };

        Directory.CreateDirectory(outDir);
        var path = Path.GetFullPath(Path.Combine(outDir, Bundle.FileName(header)));
        // Written under a name that is not *.etbundle and renamed when complete, so a half-written
        // bundle (full stick, yanked stick, power cut) never looks like a finished one.
        var temp = path + ".partial";
        string sha;
        long envelopes;
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using (var writer = await BundleWriter.StartAsync(file, header, ct))
                {
                    // Version 1 is for a central service that predates version 2, whose reader refuses sig/kid: unsigned.
                    using var key = bundleVersion >= 2 ? SigningKey(options) : null;
                    var batches = new EnvelopeBuilder(options, header.Stream, writer, key, bundleVersion >= 2 ? new WireV2Encoder(header.Stream, AgentVersion) : null);
                    await foreach (var (sample, kind) in snapshot.ReadAsync(ct))
                        await batches.AddAsync(sample, kind, ct);
                    await batches.FlushAllAsync(ct);
                    sha = await writer.CompleteAsync(ct);
                    envelopes = writer.Envelopes;
                }
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
        return new ExportResult(path, header, sha, new FileInfo(path).Length, envelopes, summary.WaitingForClock);
    }

    /// <summary>
    /// Telemetry and events in separate envelopes (the import needs the topic kind), each at most
    /// <see cref="MaxSamplesPerEnvelope"/> samples and the publisher's byte limit, in sequence order.
    /// </summary>
    /// <summary>
    /// The device key, read (never created: a key made here would be one the central service has not enrolled); null
    /// when signing is off or no key exists yet, and the bundle is then unsigned.
    /// </summary>
    private static Signing.DeviceKey? SigningKey(AgentOptions options)
    {
        var path = options.Signing.KeyPath(options.Buffer);
        return options.Signing.Enabled && File.Exists(path) ? Signing.DeviceKey.Load(path) : null;
    }

    private sealed class EnvelopeBuilder(AgentOptions options, string stream, BundleWriter writer, Signing.DeviceKey? key, WireV2Encoder? v2)
    {
        private ulong _dictionaryWritten;
        private readonly int _maxSamples = Math.Clamp(options.Publish.MaxSamplesPerBatch, 1, MaxSamplesPerEnvelope);
        private readonly int _maxBytes = Math.Max(1024, options.Publish.MaxBatchBytes);
        private readonly List<Sample> _telemetry = [];
        private readonly List<Sample> _events = [];

        public async Task AddAsync(Sample sample, SampleKind kind, CancellationToken ct)
        {
            var list = kind == SampleKind.Event ? _events : _telemetry;
            list.Add(sample);
            if (list.Count >= _maxSamples) await FlushAsync(list, kind == SampleKind.Event ? TopicKind.Events : TopicKind.Telemetry, ct);
        }

        public async Task FlushAllAsync(CancellationToken ct)
        {
            await FlushAsync(_telemetry, TopicKind.Telemetry, ct);
            await FlushAsync(_events, TopicKind.Events, ct);
        }

        private async Task FlushAsync(List<Sample> list, TopicKind kind, CancellationToken ct)
        {
            while (list.Count > 0)
            {
                // No `sent`: the batch is not being sent now, and the import cannot judge the device clock from it.
                var count = list.Count;
                var payload = Encode(list, count);
                while (payload.Length > _maxBytes && count > 1)
                {
                    count = Math.Max(1, (int)(count * (double)_maxBytes / payload.Length));
                    payload = Encode(list, count);
                }
                // Signed as the publisher signs a batch, so the import verifies it with the same rule.
                BatchSignatureProperties? signature = null;
                if (key is not null)
                {
                    var (first, last) = BatchSignature.SeqRange(list.Take(count).Select(s => s.Seq));
                    signature = new(key.SignBatch(options.Site, options.Device, stream, first, last, payload), key.KeyId);
                }
                if (v2 is null) await writer.WriteEnvelopeAsync(kind, payload, ct, signature);
                else
                {
                    // The dictionary goes before the first batch that names it (it only grows, so its newest holds every series).
                    if (v2.DictionaryId != _dictionaryWritten) await writer.WriteDictionaryAsync(v2.DictionaryPayload, ct);
                    _dictionaryWritten = v2.DictionaryId;
                    await writer.WriteV2Async(kind, payload, ct, signature);
                }
                list.RemoveRange(0, count);
            }
        }

        private byte[] Encode(List<Sample> list, int count) => v2 is not null
            ? v2.Encode(list.GetRange(0, count), null, out _)
            : BatchCodec.Encode(BatchCodec.ToBatch(options.Site, options.Device, stream, AgentVersion, list.Take(count)));
    }

    private static (string Config, string OutDir, ExportSelection Selection, string[] Overrides, int Version) ParseArgs(string[] args)
    {
        string? config = null, outDir = null, from = null, to = null;
        var version = BundleHeader.CurrentVersion;
        var all = false;
        var overrides = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = args[i].IndexOf('=') is var eq and > 0 && args[i].StartsWith("--", StringComparison.Ordinal)
                ? (args[i][..eq], args[i][(eq + 1)..])
                : (args[i], null);
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value"));
            switch (name)
            {
                case "--config": config = Value(); break;
                case "--out": outDir = Value(); break;
                case "--from": from = Value(); break;
                case "--to": to = Value(); break;
                case "--all" when inline is null: all = true; break;
                case "--bundle-version":
                    version = Value() switch { "1" => 1, "2" => 2, var v => throw new ArgumentException($"--bundle-version '{v}' must be 1 or 2") };
                    break;
                case var o when o.StartsWith("--Agent:", StringComparison.OrdinalIgnoreCase) && inline is not null: overrides.Add(args[i]); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (config is null) throw new ArgumentException("--config is required");
        if (outDir is null) throw new ArgumentException("--out is required");
        if (all && (from is not null || to is not null)) throw new ArgumentException("use --all or --from/--to, not both");
        ExportSelection selection;
        if (from is not null || to is not null)
        {
            var (f, t) = (ParseTime(from, "--from"), ParseTime(to, "--to"));
            if (f is not null && t is not null && f >= t) throw new ArgumentException($"--from {from} is not before --to {to}");
            selection = ExportSelection.Range(f, t);
        }
        else selection = all ? ExportSelection.All : ExportSelection.Unsent;
        return (config, outDir, selection, [.. overrides], version);
    }

    /// <summary>RFC 3339 (2026-11-20T06:00:00Z, or with an offset); no offset means UTC.</summary>
    private static DateTimeOffset? ParseTime(string? text, string name)
    {
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new ArgumentException($"{name} '{text}' is not an RFC 3339 date-time (e.g. 2026-11-20T06:00:00Z)");
    }

    private static string Describe(ExportSelection s) => s.Mode switch
    {
        ExportMode.Unsent => "unsent",
        ExportMode.All => "retained",
        _ => $"retained [{(s.FromNs == long.MinValue ? "…" : Time.FromUnixNanoseconds(s.FromNs).ToString("O"))}, {(s.ToNs == long.MaxValue ? "…" : Time.FromUnixNanoseconds(s.ToNs).ToString("O"))})",
    };
}
