using System.Text;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Transfer;

/// <summary>
/// <c>central import BUNDLE [--Influx:Url=… …]</c>: verifies a bundle carried in from a site and
/// stores it through the same validation and line protocol as live ingest. Idempotent: importing
/// twice, or importing and then receiving the same samples online, adds no points.
/// </summary>
public static class BundleImport
{
    private const int MaxLinesPerWrite = 5000;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            await output.WriteLineAsync("usage: edgetelemetry-central import <bundle.etbundle> [--Influx:Url=…] [--Influx:Database=…]");
            return 2;
        }
        var path = args[0];
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args[1..])
            .Build();
        var influx = configuration.GetSection(InfluxOptions.Section).Get<InfluxOptions>() ?? new InfluxOptions();
        var ingest = configuration.GetSection(Ingest.IngestOptions.Section).Get<Ingest.IngestOptions>() ?? new Ingest.IngestOptions();

        var (header, entries) = await Bundle.ReadAsync(path, ct); // throws with file:line on damage, before anything is written
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(influx.RequestTimeoutSeconds) };
        var writer = new InfluxWriter(http, Options.Create(influx));
        await writer.EnsureDatabaseAsync(ct);

        var limits = new ValidationLimits { MaxPayloadBytes = ingest.MaxPayloadBytes, MaxFutureSkew = TimeSpan.FromMinutes(ingest.MaxFutureSkewMinutes) };
        var receivedAt = DateTimeOffset.UtcNow;
        long accepted = 0, rejected = 0;
        var lines = new StringBuilder();
        var pending = 0;
        foreach (var entry in entries)
        {
            var topic = Topics.For(header.Site, header.Device, entry.Kind);
            var result = BatchValidator.Validate(topic, entry.Payload, receivedAt, limits);
            foreach (var sample in result.Accepted)
                LineProtocolWriter.Append(lines, SamplePoints.ToPoint(header.Site, header.Device, sample));
            foreach (var rejection in result.Rejections)
                LineProtocolWriter.Append(lines, DeadLetterPoints.ToPoint(rejection, topic, result.Topic, header.Stream, entry.Payload, receivedAt));
            accepted += result.Accepted.Count;
            rejected += result.Rejections.Count;
            pending += result.Accepted.Count + result.Rejections.Count;
            if (pending >= MaxLinesPerWrite)
            {
                await writer.WriteAsync(lines.ToString(), ct);
                lines.Clear();
                pending = 0;
            }
        }
        if (lines.Length > 0) await writer.WriteAsync(lines.ToString(), ct);
        await output.WriteLineAsync($"imported {accepted} samples from {header.Site}/{header.Device} stream {header.Stream} (seq {header.FirstSeq}-{header.LastSeq}), rejected {rejected}");
        return rejected == 0 ? 0 : 3;
    }
}
