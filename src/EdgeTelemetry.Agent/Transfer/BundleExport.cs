using System.Globalization;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Agent.Transfer;

/// <summary>
/// <c>agent export --config agent.yaml --out DIR [--all | --from T --to T]</c>: writes the buffer's
/// unsent samples (or all retained ones, or a time range) to a bundle for a USB stick. Rows are not
/// marked sent: the later online sync sends them again and InfluxDB keeps one point each.
/// </summary>
public static class BundleExport
{
    private const int BatchSize = 200;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct = default)
    {
        var config = Arg(args, "--config");
        var outDir = Arg(args, "--out");
        if (config is null || outDir is null)
        {
            await output.WriteLineAsync("usage: edgetelemetry-agent export --config <agent.yaml> --out <dir> [--all | --from <RFC3339> --to <RFC3339>]");
            return 2;
        }
        var options = AgentConfigLoader.Load(AgentConfigLoader.Build(config, []), config);
        var all = args.Contains("--all");
        var from = ParseTime(Arg(args, "--from"), "--from") ?? long.MinValue;
        var to = ParseTime(Arg(args, "--to"), "--to") ?? long.MaxValue;
        var unsentOnly = !all && Arg(args, "--from") is null && Arg(args, "--to") is null;

        await using var buffer = await SampleBuffer.OpenAsync(options.Buffer.Path, options.Buffer.Synchronous, ct);
        var entries = new List<BundleEntry>();
        long count = 0, first = 0, last = 0, after = 0;
        while (true)
        {
            var page = await buffer.ReadForExportAsync(unsentOnly, from, to, after, 5000, ct);
            if (page.Count == 0) break;
            foreach (var group in page.Chunk(BatchSize).SelectMany(chunk => chunk.GroupBy(p => p.Kind)))
            {
                var batch = BatchCodec.ToBatch(options.Site, options.Device, buffer.StreamId, MqttPublisher.AgentVersion, group.Select(g => g.Sample));
                entries.Add(new BundleEntry(group.Key == SampleKind.Event ? TopicKind.Events : TopicKind.Telemetry, BatchCodec.Encode(batch)));
            }
            count += page.Count;
            if (first == 0) first = page[0].Sample.Seq;
            last = after = page[^1].Sample.Seq;
        }
        if (count == 0)
        {
            await output.WriteLineAsync($"nothing to export from {options.Buffer.Path}");
            return 0;
        }

        Directory.CreateDirectory(outDir);
        var name = $"{options.Site}_{options.Device}_{buffer.StreamId}_{first}-{last}{Bundle.Extension}";
        var path = Path.Combine(outDir, name);
        var temp = path + ".partial";
        var header = new BundleHeader
        {
            Site = options.Site, Device = options.Device, Stream = buffer.StreamId, AgentVersion = MqttPublisher.AgentVersion,
            Created = DateTimeOffset.UtcNow, Samples = count, FirstSeq = first, LastSeq = last,
        };
        // Written under a temporary name and renamed, so a half-written bundle never looks complete.
        await using (var file = File.Create(temp))
        {
            await Bundle.WriteAsync(file, header, entries, ct);
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        await output.WriteLineAsync($"exported {count} samples (seq {first}-{last}) to {path} ({new FileInfo(path).Length} bytes); they stay in the buffer and sync online later without duplicating");
        return 0;
    }

    private static long? ParseTime(string? text, string name)
    {
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? Time.ToUnixNanoseconds(t)
            : throw new ArgumentException($"{name} '{text}' is not a date-time (e.g. 2026-11-23T06:00:00Z)");
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
