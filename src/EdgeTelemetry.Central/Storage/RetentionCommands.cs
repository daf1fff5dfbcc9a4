using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// <c>edgetelemetry-central retention show|apply|backfill</c>: the statements the service runs at start, run them now
/// (the install script), or recompute rollups for a past period — after importing old data or a device's long backlog,
/// which arrived after the continuous queries had passed that time.
/// </summary>
public static class RetentionCommands
{
    public const string Usage = "usage: edgetelemetry-central retention show|apply [--Influx:…] [--Retention:…]\n" +
                                "       edgetelemetry-central retention backfill --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0] is not ("show" or "apply" or "backfill"))
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        DateTimeOffset? from = null, to = null;
        var configArgs = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--from" or "--to" && i + 1 < args.Length && DateTimeOffset.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var t))
            {
                if (args[i] == "--from") from = t; else to = t;
                i++;
            }
            else configArgs.Add(args[i]);
        }
        var configuration = CommandConfiguration.Build([.. configArgs]);
        var influx = configuration.GetSection(InfluxOptions.Section).Get<InfluxOptions>() ?? new InfluxOptions();
        var ingest = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        var layout = new RetentionLayout(Options.Create(retention), Options.Create(influx), Options.Create(ingest));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Max(influx.RequestTimeoutSeconds, 300)) };
        var schema = new RetentionSchema(http, influx, layout);
        if (!layout.Enabled)
        {
            await stderr.WriteLineAsync("retention: disabled (Retention:Enabled=false or Influx:Api=V2: a v2 bucket has one retention, set by its admin)");
            return args[0] == "show" ? 0 : 1;
        }
        try
        {
            switch (args[0])
            {
                case "show":
                    foreach (var s in schema.Statements()) await stdout.WriteLineAsync(s + ";");
                    return 0;
                case "apply":
                    await new InfluxWriter(http, Options.Create(influx), layout).EnsureDatabaseAsync(ct);
                    await stdout.WriteLineAsync($"retention policies and continuous queries in place on {influx.Url} database {influx.Database}");
                    return 0;
                default:
                    if (from is null || to is null || to <= from)
                    {
                        await stderr.WriteLineAsync("retention backfill: --from and --to (RFC 3339, to after from) are required\n" + Usage);
                        return 2;
                    }
                    await schema.BackfillAsync(from.Value, to.Value, ct);
                    await stdout.WriteLineAsync($"rollups recomputed for [{from:O}, {to:O})");
                    return 0;
            }
        }
        catch (Exception ex) when (ex is TransientWriteException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"retention: {ex.Message}");
            return 1;
        }
    }
}
