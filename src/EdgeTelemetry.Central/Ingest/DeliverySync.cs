using System.Diagnostics;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Keeps this instance's delivery account whole from the <c>delivery</c> measurement: at start it merges the last
/// 30 days (a restart forgets nothing), then every Ingest:DeliverySyncSeconds, and before /api/delivery answers, it
/// merges what other instances of the shared subscription recorded in the last Ingest:DeliverySyncWindowSeconds.
/// InfluxDB is the store they all share already; merging is idempotent (<see cref="DeliveryTracker.Merge"/>), so
/// overlapping windows cost nothing but the query. Accounting is a report, not the data path: ingest goes on
/// whatever happens here. Records also carry the latest sample time stored (<c>latest</c>), which tells the replay
/// check (<see cref="ReplayGuard"/>) which batches reach back into stored time on any instance.
/// </summary>
public sealed class DeliverySync(
    InfluxQueryClient query, DeliveryTracker tracker, IngestHealth health, IOptions<IngestOptions> options,
    TimeProvider clock, ILogger<DeliverySync> logger, ReplayGuard? replays = null) : BackgroundService
{
    private const string Fields = "ranges, evicted, run, arrived, evicted_total, held_report, held, oldest_held, latest, earliest";
    private const int ChunkSize = 10_000;
    private readonly IngestOptions _o = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _skipped;

    /// <summary>
    /// Merges the last 30 days, a day at a time, bounded by Ingest:RestoreTimeoutSeconds; a record that does not
    /// parse is skipped with a warning. InfluxDB unreachable is retried until the bound.
    /// </summary>
    public async Task RestoreAsync(CancellationToken stoppingToken)
    {
        health.Restore = RestoreState.Running;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _o.RestoreTimeoutSeconds)));
        var watch = Stopwatch.StartNew();
        int restored = 0, days = 0;
        try
        {
            for (var day = 0; day < 30; day++, days++)
            {
                var until = day == 0 ? "now()" : $"now() - {day}d";
                restored += await WithRetryAsync(ct => MergeAsync($"SELECT {Fields} FROM {Measurements.Delivery} WHERE time > now() - {day + 1}d AND time <= {until} GROUP BY site, device, stream", ct), timeout.Token);
            }
            health.Restore = RestoreState.Done;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            health.Restore = RestoreState.Partial;
            logger.LogWarning("Delivery accounting restore stopped after {Seconds:F0} s ({Days} of 30 days read); ingest goes on, gaps in older days may be reported late",
                watch.Elapsed.TotalSeconds, days);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            health.Restore = RestoreState.Failed;
            logger.LogWarning("Could not restore delivery accounting ({Error}); it starts with what was read", ex.Message);
        }
        finally
        {
            _restored.TrySetResult();
        }
        logger.LogInformation("Delivery accounting restored from {Count} delivery records in {Ms} ms ({Skipped} skipped)", restored, watch.ElapsedMilliseconds, _skipped);
    }

    /// <summary>Merges what other instances recorded in the sync window; returns the number of records read.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var window = Math.Max(1, (int)Math.Ceiling(_o.DeliverySyncWindowSeconds));
            return await MergeAsync($"SELECT {Fields} FROM {Measurements.Delivery} WHERE time > now() - {window}s AND run != {InfluxQl.Str(tracker.Run)} GROUP BY site, device, stream", ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Before an answer: the latest from the other instances, unless InfluxDB does not answer within a few seconds.</summary>
    public async Task TryCatchUpAsync(CancellationToken ct)
    {
        if (_o.DeliverySyncSeconds <= 0) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try { await CatchUpAsync(timeout.Token); }
        catch (Exception ex) when (ex is InfluxUnavailableException or InfluxQueryException or HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Delivery account answered without the other instances' latest records ({Error})", ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_o.DeliverySyncSeconds <= 0) return;
        try
        {
            await _restored.Task.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(_o.DeliverySyncSeconds), clock, stoppingToken);
                try { await CatchUpAsync(stoppingToken); }
                catch (Exception ex) when (ex is InfluxUnavailableException or InfluxQueryException or HttpRequestException)
                {
                    logger.LogDebug("Delivery sync skipped: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task<int> MergeAsync(string influxQl, CancellationToken ct)
    {
        var read = 0;
        await foreach (var piece in query.StreamAsync(influxQl, ChunkSize, ct))
        {
            var columns = Columns.Of(piece);
            foreach (var row in piece.Rows)
            {
                read++;
                if (Parse(piece, columns, row) is { } record && tracker.Merge(record))
                {
                    // What another instance stored of a stream, with its times: batches of the stream that reach this
                    // instance out of order then fit between runs instead of being compared with InfluxDB.
                    if (record is { EarliestNs: { } earliest, LatestNs: { } latest } && earliest <= latest)
                        replays?.Stored(record.Site, record.Device, record.Stream, record.Ranges, earliest, latest);
                    continue;
                }
                if (Interlocked.Increment(ref _skipped) <= 10)
                    logger.LogWarning("Skipped an unreadable delivery record: {Tags} {Row}",
                        DeadLetterPoints.Printable(string.Join(",", piece.Tags.Select(t => $"{t.Key}={t.Value}"))),
                        DeadLetterPoints.Printable(string.Join(",", row.Select(c => InfluxValue.String(c)))));
            }
        }
        return read;
    }

    private static async Task<int> WithRetryAsync(Func<CancellationToken, Task<int>> work, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await work(ct); }
            catch (Exception ex) when (ex is InfluxUnavailableException or HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 << Math.Min(attempt, 5))), ct);
            }
        }
    }

    private readonly record struct Columns(int Ranges, int Evicted, int Run, int Arrived, int EvictedTotal, int HeldReport, int Held, int OldestHeld, int Latest, int Earliest)
    {
        public static Columns Of(InfluxSeries s) => new(s.Column("ranges"), s.Column("evicted"), s.Column("run"), s.Column("arrived"),
            s.Column("evicted_total"), s.Column("held_report"), s.Column("held"), s.Column("oldest_held"), s.Column("latest"), s.Column("earliest"));
    }

    /// <summary>A stored record, or null when its tags or ranges are not what ingest writes.</summary>
    private static DeliveryRecord? Parse(InfluxSeries piece, Columns c, object?[] row)
    {
        string? site = piece.Tag("site"), device = piece.Tag("device"), stream = piece.Tag("stream");
        if (!Topics.IsValidId(site) || !Topics.IsValidId(device) || !BatchValidator.IsValidStream(stream)) return null;
        if (c.Ranges < 0 || !SeqRanges.TryParse(InfluxValue.String(row[c.Ranges]), BatchValidator.MaxSeq, 100_000, out var ranges)) return null;
        long? Count(int column) => column >= 0 && InfluxValue.Long(row[column]) is { } n && n >= 0 ? n : null;
        var run = c.Run >= 0 ? InfluxValue.String(row[c.Run]) : null;
        return new DeliveryRecord(site!, device!, stream!, ranges, InfluxValue.Time(row[0]), Count(c.Evicted) ?? 0,
            string.IsNullOrEmpty(run) ? null : run, Count(c.Arrived), Count(c.EvictedTotal), Count(c.HeldReport), Count(c.Held), Count(c.OldestHeld),
            c.Latest >= 0 ? InfluxValue.Long(row[c.Latest]) : null, c.Earliest >= 0 ? InfluxValue.Long(row[c.Earliest]) : null);
    }
}
