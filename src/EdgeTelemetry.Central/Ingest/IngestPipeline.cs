using System.Text;
using System.Threading.Channels;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// validate → line protocol → InfluxDB → acknowledge. Messages are gathered into one write by size
/// (MaxBatchPoints) and time (FlushIntervalMs) and acknowledged, in order, only once InfluxDB has
/// accepted the write. While InfluxDB is down the write is retried and nothing is acknowledged, so
/// the broker keeps the rest. Rejected input goes to the dead-letter store and is acknowledged.
/// </summary>
public sealed class IngestPipeline : BackgroundService
{
    private readonly ChannelReader<InboundMessage> _inbox;
    private readonly InfluxWriter _writer;
    private readonly IngestMetrics _metrics;
    private readonly InfluxOptions _influx;
    private readonly ValidationLimits _limits;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly ResiliencePipeline _retry;
    private readonly DeliveryTracker _delivery;
    private readonly double _maxClockSkewSeconds;

    public IngestPipeline(ChannelReader<InboundMessage> inbox, InfluxWriter writer, IngestMetrics metrics, DeliveryTracker delivery,
        IOptions<InfluxOptions> influx, IOptions<IngestOptions> ingest, TimeProvider clock, ILogger<IngestPipeline> logger)
    {
        _delivery = delivery;
        _maxClockSkewSeconds = ingest.Value.MaxClockSkewSeconds;
        _inbox = inbox;
        _writer = writer;
        _metrics = metrics;
        _influx = influx.Value;
        _limits = new ValidationLimits
        {
            MaxPayloadBytes = ingest.Value.MaxPayloadBytes,
            MaxFutureSkew = TimeSpan.FromMinutes(ingest.Value.MaxFutureSkewMinutes),
        };
        _clock = clock;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientWriteException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(_influx.RetryMaxDelaySeconds),
                // Honour Retry-After from a 429/503 when InfluxDB sends one.
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is TransientWriteException { RetryAfter: { } after } ? (TimeSpan?)after : null),
                OnRetry = args =>
                {
                    _metrics.WriteRetried();
                    _logger.LogWarning("InfluxDB write failed (attempt {Attempt}): {Error}; retrying in {Delay:F1} s, messages stay unacknowledged",
                        args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _retry.ExecuteAsync(async ct => await _writer.EnsureDatabaseAsync(ct), stoppingToken);
            try
            {
                await _retry.ExecuteAsync(async ct => await RestoreDeliveryAsync(ct), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Accounting is a report, not the data path: ingest goes on with it starting empty.
                _logger.LogWarning("Could not restore delivery accounting ({Error}); it starts empty", ex.Message);
            }
            while (await _inbox.WaitToReadAsync(stoppingToken))
            {
                var batch = await GatherAsync(stoppingToken);
                await StoreAsync(batch, stoppingToken);
                foreach (var item in batch) await AcknowledgeAsync(item.Message);
                _metrics.Acknowledged(batch.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unacknowledged messages are redelivered to this session when it reconnects.
        }
    }

    /// <summary>Rebuilds delivery accounting from the delivery measurement (last 30 days), so a restart forgets nothing.</summary>
    private async Task RestoreDeliveryAsync(CancellationToken ct)
    {
        using var doc = await _writer.QueryAsync("SELECT ranges, duplicates, evicted FROM delivery WHERE time > now() - 30d GROUP BY site, device, stream", ct);
        var restored = 0;
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (!result.TryGetProperty("series", out var series)) continue;
            foreach (var s in series.EnumerateArray())
            {
                var tags = s.GetProperty("tags");
                var (site, device, stream) = (tags.GetProperty("site").GetString()!, tags.GetProperty("device").GetString()!, tags.GetProperty("stream").GetString()!);
                foreach (var row in s.GetProperty("values").EnumerateArray())
                {
                    var at = EdgeTelemetry.Model.Time.FromUnixNanoseconds(row[0].GetInt64());
                    _delivery.Restore(site, device, stream, row[1].GetString() ?? "",
                        row[2].ValueKind == System.Text.Json.JsonValueKind.Number ? row[2].GetInt64() : 0,
                        row[3].ValueKind == System.Text.Json.JsonValueKind.Number ? row[3].GetInt64() : 0, at);
                    restored++;
                }
            }
        }
        if (restored > 0) _logger.LogInformation("Delivery accounting restored from {Count} delivery records", restored);
    }

    private async Task<List<PreparedMessage>> GatherAsync(CancellationToken ct)
    {
        var batch = new List<PreparedMessage>();
        var points = 0;
        var deadline = _clock.GetUtcNow() + TimeSpan.FromMilliseconds(_influx.FlushIntervalMs);
        while (points < _influx.MaxBatchPoints)
        {
            while (points < _influx.MaxBatchPoints && _inbox.TryRead(out var message))
            {
                var prepared = Prepare(message);
                batch.Add(prepared);
                points += prepared.PointCount;
            }
            var remaining = deadline - _clock.GetUtcNow();
            if (points >= _influx.MaxBatchPoints || remaining <= TimeSpan.Zero) break;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(remaining);
            try
            {
                if (!await _inbox.WaitToReadAsync(wait.Token)) break;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }
        return batch;
    }

    private PreparedMessage Prepare(InboundMessage message)
    {
        if (Topics.TryParse(message.Topic, out var statusTopic) && statusTopic.Kind == TopicKind.Status)
            return PrepareStatus(message, statusTopic);
        _metrics.MessageReceived();
        var result = BatchValidator.Validate(message.Topic, message.Payload, message.ReceivedAt, _limits);
        var lines = new StringBuilder();
        var device = result.Topic;
        var skew = ClockSkewSeconds(result, message.ReceivedAt);
        foreach (var sample in result.Accepted)
        {
            var point = SamplePoints.ToPoint(device!.Value.Site, device.Value.Device, sample);
            // A device clock far from ours: store the points as sent, but say so on each of them.
            if (skew is { } s) point.Field("clock_skew", Math.Round(s, 3));
            LineProtocolWriter.Append(lines, point);
        }
        if (device is { } d && result.Batch?.Stream is { } stream)
            Account(lines, d, stream, result, message.ReceivedAt);
        foreach (var rejection in result.Rejections)
        {
            _metrics.Reject(rejection.Code);
            _logger.LogWarning("Rejected {Reason} from {Site}/{Device} on {Topic}: {Detail}",
                rejection.Code, device?.Site ?? "?", device?.Device ?? "?", message.Topic, rejection.Detail);
            LineProtocolWriter.Append(lines, DeadLetterPoints.ToPoint(rejection, message.Topic, device, result.Batch?.Stream, message.Payload, message.ReceivedAt));
        }
        return new PreparedMessage(message, result, lines.ToString(), result.Accepted.Count + result.Rejections.Count);
    }

    private double? ClockSkewSeconds(ValidatedBatch result, DateTimeOffset receivedAt)
    {
        if (result.Batch?.SentNs is not { } sentNs || result.Accepted.Count == 0) return null;
        var skew = (EdgeTelemetry.Model.Time.ToUnixNanoseconds(receivedAt) - sentNs) / 1e9;
        if (Math.Abs(skew) <= _maxClockSkewSeconds) return null;
        _metrics.ClockSkewFlagged(result.Accepted.Count);
        _logger.LogWarning("Device clock of {Site}/{Device} is {Skew:F0} s off the receiver's; its points are flagged clock_skew",
            result.Topic?.Site, result.Topic?.Device, -skew);
        return skew;
    }

    /// <summary>Delivery accounting: which sequence numbers arrived, how many again, what the device evicted.</summary>
    private void Account(StringBuilder lines, DeviceTopic device, string stream, ValidatedBatch result, DateTimeOffset receivedAt)
    {
        var seqs = result.Accepted.Select(a => a.Seq).Concat(result.Rejections.Where(r => r.Seq is not null).Select(r => r.Seq!.Value)).ToList();
        if (seqs.Count == 0) return;
        // An eviction event counts once: a replayed one (redelivery, import then sync) is a duplicate.
        long evicted = 0;
        foreach (var e in result.Accepted.Where(a => a.Measurement == "buffer_eviction" && !_delivery.Has(device.Site, device.Device, stream, a.Seq)))
            evicted += (long)(e.Readings.FirstOrDefault(r => r.Name == "evicted")?.Value ?? 0);
        var duplicates = _delivery.Record(device.Site, device.Device, stream, seqs, receivedAt);
        if (duplicates > 0) _metrics.Duplicates(duplicates);
        if (evicted > 0)
        {
            _delivery.RecordEviction(device.Site, device.Device, stream, evicted);
            _metrics.DeviceEvicted(evicted);
        }
        var point = new Point("delivery", DeadLetterPoints.UniqueTimestamp(receivedAt))
            .Tag("site", device.Site).Tag("device", device.Device).Tag("stream", stream)
            .Field("ranges", EdgeTelemetry.Transfer.SeqRanges.Format(seqs.Order().Distinct()))
            .Field("count", (long)seqs.Count)
            .Field("duplicates", (long)duplicates)
            .Field("evicted", evicted);
        LineProtocolWriter.Append(lines, point);
    }

    /// <summary>A device's retained online/offline message becomes a device_status point (fleet history).</summary>
    private PreparedMessage PrepareStatus(InboundMessage message, DeviceTopic topic)
    {
        _metrics.StatusReceived();
        var status = message.Payload.Length == 0 ? null : BatchCodec.TryDecodeStatus(message.Payload);
        var validated = new ValidatedBatch(topic, null, [], []);
        if (status is null || status.State is not ("online" or "offline"))
        {
            if (message.Payload.Length > 0)
                _logger.LogWarning("Ignored unreadable status from {Site}/{Device} on {Topic}", topic.Site, topic.Device, message.Topic);
            return new PreparedMessage(message, validated, "", 0);
        }
        var point = new Point("device_status", EdgeTelemetry.Model.Time.ToUnixNanoseconds(message.ReceivedAt))
            .Tag("site", topic.Site)
            .Tag("device", topic.Device)
            .Field("state", status.State)
            .Field("online", status.State == "online");
        if (status.AgentVersion is { Length: > 0 and <= 32 } v) point.Field("agent", v);
        if (status.Stream is { Length: > 0 and <= 64 } s) point.Field("stream", s);
        return new PreparedMessage(message, validated, LineProtocolWriter.Write([point]), 1);
    }

    /// <summary>Writes the batch; if InfluxDB refuses points (400), writes message by message so one bad message cannot block the rest.</summary>
    private async Task StoreAsync(List<PreparedMessage> batch, CancellationToken ct)
    {
        var lines = string.Concat(batch.Select(b => b.Lines));
        if (lines.Length == 0) return;
        try
        {
            await _retry.ExecuteAsync(async t => await _writer.WriteAsync(lines, t), ct);
            _metrics.Stored(batch.Sum(b => b.Validated.Accepted.Count));
        }
        catch (PointsRejectedException ex) when (batch.Count > 1)
        {
            _logger.LogWarning("InfluxDB refused a batch of {Count} messages ({Error}); writing them one by one", batch.Count, ex.Message);
            foreach (var item in batch) await StoreAsync([item], ct);
        }
        catch (PointsRejectedException ex)
        {
            var item = batch[0];
            var device = item.Validated.Topic;
            _metrics.Reject("rejected_by_database");
            _logger.LogWarning("InfluxDB refused the points of {Topic} from {Site}/{Device}: {Error}",
                item.Message.Topic, device?.Site ?? "?", device?.Device ?? "?", ex.Message);
            var rejection = new Rejection(RejectReason.RejectedByDatabase, ex.Message);
            var point = DeadLetterPoints.ToPoint(rejection, item.Message.Topic, device, item.Validated.Batch?.Stream, item.Message.Payload, item.Message.ReceivedAt);
            await _retry.ExecuteAsync(async t => await _writer.WriteAsync(LineProtocolWriter.Write([point]), t), ct);
        }
    }

    private async Task AcknowledgeAsync(InboundMessage message)
    {
        try
        {
            await message.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The connection dropped after the write: the broker redelivers and the replay rewrites the same points.
            _logger.LogDebug(ex, "Acknowledging {Topic} failed", message.Topic);
        }
    }

    private sealed record PreparedMessage(InboundMessage Message, ValidatedBatch Validated, string Lines, int PointCount);
}
