using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Tells each device, after a write, which of its sequence numbers are now stored or dead-lettered
/// (docs/wire-protocol.md, receipts). One receipt per device stream per write, QoS 1, on the device's
/// own receipts topic. Sent through the ingest session's connection; a receipt that cannot be sent
/// is counted and dropped — the device re-sends after its timeout and the replay costs a duplicate.
/// </summary>
public sealed class ReceiptPublisher(IngestMetrics metrics, IOptions<IngestOptions> options, ILogger<ReceiptPublisher> logger)
{
    private volatile IMqttClient? _client;

    /// <summary>Test hook: a receipt for which this returns true is dropped, as if lost on the way.</summary>
    internal Func<DeviceTopic, Receipt, bool>? Lose { get; set; }

    /// <summary>The connected ingest client (null while disconnected).</summary>
    internal void Attach(IMqttClient? client) => _client = client;

    /// <summary>Receipts for messages whose write succeeded, coalesced per (site, device, stream).</summary>
    public static IReadOnlyList<(DeviceTopic Device, Receipt Receipt)> Build(IEnumerable<PreparedMessage> written)
    {
        var byStream = new Dictionary<(string Site, string Device, string Stream), (List<long> Stored, List<long> Rejected, List<(long, long)> StoredRanges, List<(long, long)> RejectedRanges)>();
        foreach (var m in written)
        {
            if (m.Device is not { } d || m.Stream is not { } stream) continue;
            if (m.StoredSeqs.Count == 0 && m.RejectedSeqs.Count == 0) continue;
            var key = (d.Site, d.Device, stream);
            if (!byStream.TryGetValue(key, out var acc)) byStream[key] = acc = ([], [], [], []);
            // Points InfluxDB refused went to the dead-letter store: rejected, not stored.
            (m.RefusedByDatabase is null ? acc.StoredRanges : acc.RejectedRanges).AddRange(m.StoredSeqs);
            acc.RejectedRanges.AddRange(m.RejectedSeqs);
        }
        var receipts = new List<(DeviceTopic, Receipt)>(byStream.Count);
        // A deferred v2 batch: its stream is named only in the dictionary we lack, so the receipt names the dictionary.
        foreach (var group in written.Where(m => m is { Device: not null, MissingDictionary: not null } && m.DeferredSeqs.Count > 0)
                     .GroupBy(m => (m.Device!.Value.Site, m.Device.Value.Device, Dictionary: m.MissingDictionary!.Value)))
            receipts.Add((new DeviceTopic(group.Key.Site, group.Key.Device, TopicKind.Receipts), new Receipt
            {
                Deferred = SeqRanges.Format(Merge(group.SelectMany(m => m.DeferredSeqs).ToList())),
                Dictionary = WireV2.TopicId(group.Key.Dictionary),
            }));
        foreach (var ((site, device, stream), acc) in byStream)
        {
            var stored = Merge(acc.StoredRanges);
            // A sequence number stored by one message and rejected by another (a replay) is stored.
            var rejected = Subtract(Merge(acc.RejectedRanges), stored);
            receipts.Add((new DeviceTopic(site, device, TopicKind.Receipts), new Receipt
            {
                Stream = stream,
                Stored = stored.Count == 0 ? null : SeqRanges.Format(stored),
                Rejected = rejected.Count == 0 ? null : SeqRanges.Format(rejected),
            }));
        }
        return receipts;
    }

    /// <summary>Publishes the receipts for one successful write, concurrently; never throws (receipts are advisory to ingest).</summary>
    public async Task PublishAsync(IReadOnlyList<PreparedMessage> written, CancellationToken ct)
    {
        if (!options.Value.Receipts) return;
        var receipts = Build(written);
        if (receipts.Count == 0) return;
        await Task.WhenAll(receipts.Select(r => PublishOneAsync(r.Device, r.Receipt, ct)));
    }

    private async Task PublishOneAsync(DeviceTopic device, Receipt receipt, CancellationToken ct)
    {
        var client = _client;
        if (client is not { IsConnected: true })
        {
            metrics.ReceiptFailed();
            return;
        }
        var payload = ReceiptCodec.Encode(receipt);
        if (Lose?.Invoke(device, receipt) == true) return;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.ReceiptTimeoutSeconds)));
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.For(device.Site, device.Device, TopicKind.Receipts))
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), timeout.Token); // no content-type property: 19 bytes a receipt on a link paid by the megabyte
            // No matching subscribers: an agent without receipts (v1) or one not connected with a session; nothing to do.
            if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                metrics.ReceiptSent(payload.Length);
            else
            {
                metrics.ReceiptFailed();
                logger.LogWarning("Broker refused the receipt for {Site}/{Device}: {Reason} (is the central user allowed to write edgetelemetry/v1/+/+/receipts?)",
                    device.Site, device.Device, result.ReasonCode);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.ReceiptFailed();
            logger.LogDebug("Receipt for {Site}/{Device} not sent ({Error}); the device re-sends after its timeout", device.Site, device.Device, ex.Message);
        }
    }

    /// <summary>The retained announcement agents wait for before trusting receipts over PUBACK.</summary>
    internal async Task AnnounceAsync(IMqttClient client, CancellationToken ct)
    {
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.CentralCapabilities)
            .WithPayload(ReceiptCodec.Encode(new CentralCapabilities { Receipts = options.Value.Receipts ? Receipt.CurrentVersion : 0, Wire = 2 }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build(), ct);
    }

    private static List<(long From, long To)> Merge(List<(long, long)> ranges)
    {
        ranges.Sort();
        var merged = new List<(long From, long To)>(ranges.Count);
        foreach (var (from, to) in ranges)
        {
            if (merged.Count > 0 && from <= merged[^1].To + 1) merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, to));
            else merged.Add((from, to));
        }
        return merged;
    }

    private static List<(long From, long To)> Subtract(List<(long From, long To)> ranges, List<(long From, long To)> remove)
    {
        var result = new List<(long From, long To)>();
        foreach (var (from, to) in ranges)
        {
            var start = from;
            foreach (var (rf, rt) in remove)
            {
                if (rt < start || rf > to) continue;
                if (rf > start) result.Add((start, rf - 1));
                start = Math.Max(start, rt + 1);
                if (start > to) break;
            }
            if (start <= to) result.Add((start, to));
        }
        return result;
    }
}
