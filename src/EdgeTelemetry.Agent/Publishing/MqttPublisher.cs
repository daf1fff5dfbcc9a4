using System.Buffers;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.Agent.Publishing;

/// <summary>
/// Publishes the buffer's unsent samples in sequence order, QoS 1, and marks them sent only after
/// the broker's PUBACK. A lost connection, a timeout or a refused PUBACK leaves the rows unsent:
/// they go again after reconnecting, and the central side stores a replay as the same points.
/// A sent row stays in the buffer until the central service's receipt says it is stored
/// (docs/reliability.md); rows whose receipt is overdue, or that a later receipt shows missing, or
/// that a broker which lost our session may have lost, are sent again.
/// </summary>
public sealed class MqttPublisher(
    SampleBuffer buffer,
    BufferSignal signal,
    PublisherStats stats,
    Signing.BatchSigner signer,
    IOptions<AgentOptions> options,
    TimeProvider clock,
    ILogger<MqttPublisher> logger) : BackgroundService
{
    public static readonly string AgentVersion =
        typeof(MqttPublisher).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var opts = options.Value;
        using var client = new MqttClientFactory().CreateMqttClient();
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(opts.Broker.ReconnectMinSeconds), TimeSpan.FromSeconds(opts.Broker.ReconnectMaxSeconds));
        var telemetryTopic = Topics.For(opts.Site, opts.Device, TopicKind.Telemetry);
        var eventsTopic = Topics.For(opts.Site, opts.Device, TopicKind.Events);
        var receiptsTopic = Topics.For(opts.Site, opts.Device, TopicKind.Receipts);
        var inbound = System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>(new() { SingleReader = true });
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == Topics.CentralCapabilities)
            {
                OnCapabilities(ReceiptCodec.TryDecodeCapabilities(e.ApplicationMessage.Payload.ToArray()), opts.Publish);
                return Task.CompletedTask;
            }
            if (e.ApplicationMessage.Topic != receiptsTopic) return Task.CompletedTask;
            // Acknowledged once applied to the buffer: a receipt lost in a crash is redelivered by the broker.
            e.AutoAcknowledge = false;
            return inbound.Writer.WriteAsync(e).AsTask();
        };
        var receipts = ApplyReceiptsAsync(inbound.Reader, opts.Publish, stoppingToken);
        var lastTimeoutCheck = DateTimeOffset.MinValue;

        // Two lanes after an outage: everything sampled since the (re)connect is live and goes first;
        // the backlog before it drains beside it, oldest first, at a bounded rate.
        long liveFromSeq = 0;
        var backlogBudget = new TokenBucket(opts.Publish.BacklogSamplesPerSecond, clock);
        var backlogEmpty = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await ConnectAsync(client, opts, receiptsTopic, stoppingToken);
                    backoff.Reset();
                    liveFromSeq = (await buffer.BacklogAsync(stoppingToken)).MaxSeq + 1;
                    backlogEmpty = false;
                }
                if (Interlocked.Exchange(ref _resendQueued, 0) != 0) backlogEmpty = false; // re-sent rows sit in the backlog lane
                if (stats.ReceiptsActive && clock.GetUtcNow() - lastTimeoutCheck >= TimeSpan.FromSeconds(1))
                {
                    lastTimeoutCheck = clock.GetUtcNow();
                    // Only rows sent before the last receipt: while no receipt comes at all (InfluxDB or the
                    // central service down) the broker still holds them, and re-sending would only spend the link.
                    var overdue = Interlocked.Read(ref stats.LastReceiptNs) is > 0 and var lastReceipt
                        ? await buffer.ResendAsync(Time.ToUnixNanoseconds(lastTimeoutCheck), sentBeforeNs: lastReceipt,
                            timeoutNs: (long)(ReceiptTimeout(opts.Publish).TotalSeconds * 1e9), ct: stoppingToken)
                        : 0;
                    if (overdue > 0)
                    {
                        stats.ResentOverdue += overdue;
                        backlogEmpty = false;
                        logger.LogWarning("Sending {Count} samples again: no receipt within {Timeout:F0} s (or its backed-off multiple)", overdue, ReceiptTimeout(opts.Publish).TotalSeconds);
                    }
                }
                // Alarms first: an operator's warning must not queue behind a telemetry backlog.
                while (await PublishNextBatchAsync(client, eventsTopic, SampleKind.Event, 0, long.MaxValue, opts.Publish.MaxSamplesPerBatch, opts.Publish, stoppingToken) > 0) { }
                var max = opts.Publish.MaxSamplesPerBatch;
                var live = await PublishNextBatchAsync(client, telemetryTopic, SampleKind.Telemetry, liveFromSeq, long.MaxValue, max, opts.Publish, stoppingToken);
                var allowance = backlogEmpty ? 0 : backlogBudget.Take(max);
                var backlog = allowance > 0
                    ? await PublishNextBatchAsync(client, telemetryTopic, SampleKind.Telemetry, 0, liveFromSeq, allowance, opts.Publish, stoppingToken)
                    : 0;
                if (allowance > 0 && backlog < allowance) backlogEmpty = true;
                backlogBudget.Return(allowance - backlog);
                stats.BacklogSent += backlog;

                if (live >= max) continue;
                if (!backlogEmpty && allowance == 0)
                    await Task.Delay(backlogBudget.TimeUntil(Math.Min(max, opts.Publish.BacklogSamplesPerSecond)), clock, stoppingToken);
                else if (backlogEmpty || backlog < allowance)
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(opts.Publish.IdleDelayMs), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var delay = backoff.Next();
                stats.Failures++;
                logger.LogWarning("Publishing to {Host}:{Port} failed ({Error}); retrying in {Delay:F1} s",
                    opts.Broker.Host, opts.Broker.Port, ex.Message, delay.TotalSeconds);
                try { await Task.Delay(delay, clock, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }

        inbound.Writer.TryComplete();
        try { await receipts; } catch (OperationCanceledException) { }
        if (client.IsConnected)
        {
            // The sampler and buffer writer have stopped before us: send what they committed last.
            await DrainAsync(client, eventsTopic, telemetryTopic, opts.Publish);
            // A clean stop says so; the last-will only fires on an unexpected loss.
            try
            {
                await PublishStatusAsync(client, opts, "offline", CancellationToken.None);
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None);
            }
            catch (Exception ex) { logger.LogDebug(ex, "Clean disconnect failed"); }
        }
    }

    private async Task DrainAsync(IMqttClient client, string eventsTopic, string telemetryTopic, PublishOptions opts)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(opts.DrainOnStopSeconds));
        try
        {
            while (await PublishNextBatchAsync(client, eventsTopic, SampleKind.Event, 0, long.MaxValue, opts.MaxSamplesPerBatch, opts, deadline.Token) > 0) { }
            while (await PublishNextBatchAsync(client, telemetryTopic, SampleKind.Telemetry, 0, long.MaxValue, opts.MaxSamplesPerBatch, opts, deadline.Token) > 0) { }
        }
        catch (Exception ex)
        {
            logger.LogInformation("Stopped with samples still buffered ({Error}); they are sent on the next start", ex.Message);
        }
    }

    private async Task<int> PublishNextBatchAsync(IMqttClient client, string topic, SampleKind kind, long fromSeq, long toSeq, int maxSamples, PublishOptions opts, CancellationToken ct)
    {
        var samples = await buffer.ReadUnsentAsync(maxSamples, kind, fromSeq, toSeq, ct);
        if (samples.Count == 0) return 0;

        var sentNs = Time.ToUnixNanoseconds(clock.GetUtcNow());
        var v2 = await WireV2EncoderAsync(opts, ct);
        var payload = Encode(v2, samples, samples.Count, sentNs);
        // Halve the batch until it fits; a single sample always fits (readings per sample are few).
        var count = samples.Count;
        while (payload.Length > opts.MaxBatchBytes && count > 1)
        {
            count /= 2;
            payload = Encode(v2, samples, count, sentNs);
        }
        // The dictionary a v2 batch names goes first (retained), whenever it grew, on each new connection, or when asked.
        if (v2 is not null && (v2.DictionaryId != _dictionaryPublished || _dictionaryRequested))
            await PublishDictionaryAsync(client, v2, opts, ct);

        var builder = new MqttApplicationMessageBuilder()
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(v2 is null ? "application/json" : WireV2.ContentType);
        // Signed over the exact bytes sent, with the site, device, stream and seq range they belong to.
        signer.Sign(builder, options.Value.Site, options.Value.Device, buffer.StreamId, samples.Take(count).Select(s => s.Seq), payload);
        var alias = WithTopic(builder, topic);

        // Bounded by its own timeout, not by shutdown: cancelling a publish mid-flight drops the
        // connection, and the drain on a clean stop would then have nothing to send through.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(opts.PublishTimeoutSeconds));
        var result = await client.PublishAsync(builder.Build(), timeout.Token);

        var delivered = result.ReasonCode == MqttClientPublishReasonCode.Success
            || (!opts.RequireSubscriber && result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers);
        if (alias != 0 && result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers) _aliasesSet.Add(alias);
        if (!delivered)
            throw new InvalidOperationException(result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers
                ? "broker has no subscriber for telemetry (is the central service's session created?); data stays buffered"
                : $"broker refused the batch: {result.ReasonCode} {result.ReasonString}");

        var seqs = samples.Take(count).Select(s => s.Seq).ToArray();
        // With receipts the row waits for the central service's word; without, the PUBACK is all there is.
        await buffer.MarkSentAsync(seqs, Time.ToUnixNanoseconds(clock.GetUtcNow()), receipted: !stats.ReceiptsActive, CancellationToken.None);
        stats.SamplesSent += seqs.Length;
        stats.BatchesSent++;
        return count;
    }

    private byte[] Encode(WireV2Encoder? v2, IReadOnlyList<Sample> samples, int count, long sentNs) => v2 is null
        ? BatchCodec.Encode(BatchCodec.ToBatch(options.Value.Site, options.Value.Device, buffer.StreamId, AgentVersion, samples.Take(count), sentNs))
        : v2.Encode(count == samples.Count ? samples : samples.Take(count).ToList(), sentNs, out _);

    private const string KeptDictionaryKey = "wire_v2_dictionary";
    private WireV2Encoder? _v2;
    /// <summary>The dictionary id published in this connection (0: none yet), and the one the buffer keeps.</summary>
    private ulong _dictionaryPublished, _dictionaryKept;
    /// <summary>
    /// Ids this agent published for this stream: a deferral receipt naming another is not ours to act on. Written by the
    /// publishing loop, read by the receipt loop beside it.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, byte> _ownDictionaries = new();
    private volatile bool _dictionaryRequested;
    private volatile int _centralWire;
    private bool _warnedV2WithoutReceipts;

    /// <summary>
    /// The wire-v2 encoder when this batch goes as v2, else null (v1 JSON). v2 needs receipts: a batch the central
    /// service defers is acknowledged but not stored, and only a receipt brings it back.
    /// </summary>
    private async Task<WireV2Encoder?> WireV2EncoderAsync(PublishOptions o, CancellationToken ct)
    {
        var wanted = o.Encoding == "v2" || (o.Encoding == "auto" && _centralWire >= 2);
        if (!wanted) return null;
        if (!stats.ReceiptsActive)
        {
            if (o.Encoding == "v2" && !_warnedV2WithoutReceipts)
                logger.LogWarning("publish:encoding is v2 but the central service sends no receipts: sending v1 JSON (v2 needs receipts)");
            _warnedV2WithoutReceipts = true;
            return null;
        }
        if (_v2 is null)
        {
            var kept = await buffer.GetMetaAsync(KeptDictionaryKey, ct);
            _v2 = kept is null ? new WireV2Encoder(buffer.StreamId, AgentVersion) : WireV2Encoder.Resume(Convert.FromBase64String(kept), buffer.StreamId, AgentVersion);
            _dictionaryKept = _v2.DictionaryId;
            if (_dictionaryKept != 0) _ownDictionaries.TryAdd(_dictionaryKept, 0);
        }
        return _v2;
    }

    /// <summary>
    /// Publishes the encoder's dictionary, retained, and waits for its PUBACK; keeps it with the buffer, so a restart
    /// names the same one, and clears the retained dictionary it replaces (the broker would otherwise keep one per growth).
    /// </summary>
    private async Task PublishDictionaryAsync(IMqttClient client, WireV2Encoder v2, PublishOptions o, CancellationToken ct)
    {
        var id = v2.DictionaryId;
        _ownDictionaries.TryAdd(id, 0);
        if (id != _dictionaryKept) await buffer.SetMetaAsync(KeptDictionaryKey, Convert.ToBase64String(v2.DictionaryPayload), ct);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.PublishTimeoutSeconds));
        var result = await client.PublishAsync(Dictionary(id, v2.DictionaryPayload), timeout.Token);
        if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
            throw new InvalidOperationException($"broker refused the wire-v2 dictionary: {result.ReasonCode} {result.ReasonString} (does the ACL let this device write its dictionary topic?)");
        if (_dictionaryKept != 0 && _dictionaryKept != id)
        {
            // Best effort: a stale retained dictionary costs the broker a few hundred bytes, nothing else.
            try { await client.PublishAsync(Dictionary(_dictionaryKept, []), timeout.Token); }
            catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogDebug("Could not clear dictionary {Id}: {Error}", WireV2.TopicId(_dictionaryKept), ex.Message); }
        }
        _dictionaryKept = _dictionaryPublished = id;
        _dictionaryRequested = false;
        stats.DictionariesSent++;

        MqttApplicationMessage Dictionary(ulong dictionary, byte[] payload) => new MqttApplicationMessageBuilder()
            .WithTopic(Topics.DictionaryFor(options.Value.Site, options.Value.Device, dictionary))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();
    }

    /// <summary>Topic aliases this connection has set up (MQTT v5): later messages carry two bytes instead of the topic.</summary>
    private readonly Dictionary<string, ushort> _aliases = new(StringComparer.Ordinal);
    private readonly HashSet<ushort> _aliasesSet = [];
    private ushort _aliasMaximum;

    /// <summary>Sets the topic, or its alias once the broker has acknowledged a message that set it up; returns the alias (0: none).</summary>
    private ushort WithTopic(MqttApplicationMessageBuilder builder, string topic)
    {
        if (!_aliases.TryGetValue(topic, out var alias) && _aliases.Count < _aliasMaximum)
            _aliases[topic] = alias = (ushort)(_aliases.Count + 1);
        var aliased = alias != 0 && _aliasesSet.Contains(alias);
        builder.WithTopic(aliased ? "" : topic);
        if (alias != 0) builder.WithTopicAlias(alias);
        if (aliased) stats.AliasedBatches++;
        return alias;
    }

    private int _resendQueued;
    private TaskCompletionSource<bool> _capabilities = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The central service's retained announcement (or its absence) decides whether receipts are awaited ("auto").</summary>
    private void OnCapabilities(CentralCapabilities? announced, PublishOptions o)
    {
        var receipts = announced is { Receipts: >= 1 };
        _centralWire = announced?.Wire ?? 0;
        _capabilities.TrySetResult(receipts);
        if (o.Receipts != "auto" || receipts == stats.ReceiptsActive) return;
        stats.ReceiptsActive = receipts;
        if (receipts) logger.LogInformation("The central service sends receipts: samples stay buffered until it has stored them");
        else WarnNoReceipts();
    }

    private void WarnNoReceipts() =>
        logger.LogWarning("The central service does not announce receipts (older version, or Ingest:Receipts off): a PUBACK counts as delivered, so a broker crash or a full broker queue can lose samples");

    /// <summary>Receipt timeout: configured, or 8 × the recent 90th-percentile latency within 30–600 s.</summary>
    private TimeSpan ReceiptTimeout(PublishOptions o) =>
        o.ReceiptTimeoutSeconds > 0
            ? TimeSpan.FromSeconds(o.ReceiptTimeoutSeconds)
            : TimeSpan.FromSeconds(Math.Clamp(8 * (stats.ReceiptLatency.Percentile(0.9)?.TotalSeconds ?? 0), 30, 600));

    /// <summary>Applies each receipt to the buffer, then acknowledges it; re-sends rows a receipt shows missing.</summary>
    private async Task ApplyReceiptsAsync(System.Threading.Channels.ChannelReader<MqttApplicationMessageReceivedEventArgs> inbound, PublishOptions o, CancellationToken ct)
    {
        await foreach (var e in inbound.ReadAllAsync(ct))
        {
            try
            {
                var payload = e.ApplicationMessage.Payload.ToArray();
                var receipt = ReceiptCodec.TryDecode(payload);
                stats.ReceiptsReceived++;
                stats.ReceiptBytes += payload.Length;
                // Another stream's receipt is for a buffer file this agent no longer has.
                if (receipt is not null && receipt.Stream == buffer.StreamId
                    && Ranges(receipt.Stored, out var stored) && Ranges(receipt.Rejected, out var rejected))
                {
                    var effect = await buffer.ApplyReceiptAsync(stored, rejected, ct);
                    var now = Time.ToUnixNanoseconds(clock.GetUtcNow());
                    Interlocked.Exchange(ref stats.LastReceiptNs, now);
                    stats.SamplesReceipted += effect.Receipted;
                    stats.ReceiptRejected += effect.Rejected;
                    foreach (var sentAt in effect.SentAtNs) stats.ReceiptLatency.Add(TimeSpan.FromTicks(Math.Max(0, now - sentAt) / 100));
                    if (effect.Rejected > 0)
                        logger.LogWarning("The central service dead-lettered {Count} samples (see its rejects); they leave the buffer", effect.Rejected);
                    if (effect.NewestSentAtNs is { } newest)
                    {
                        var missing = await buffer.ResendAsync(now, sentBeforeNs: newest - (long)(o.ReceiptGapGraceSeconds * 1e9), ct: ct);
                        if (missing > 0)
                        {
                            stats.ResentGap += missing;
                            Interlocked.Exchange(ref _resendQueued, 1);
                            signal.Notify();
                            logger.LogWarning("Sending {Count} samples again: a receipt for later samples arrived, theirs did not", missing);
                        }
                    }
                }
                else if (receipt is { Deferred: { } deferredText, Dictionary: { } dictionary } && WireV2.TryParseTopicId(dictionary, out var dictionaryId)
                         && _ownDictionaries.ContainsKey(dictionaryId) && Ranges(deferredText, out var deferred))
                {
                    // The central service lacks the dictionary (restarted before the retained one reached it, or evicted
                    // it): publish it again, then the batches it deferred.
                    _dictionaryRequested = true;
                    var again = await buffer.ResendAsync(deferred, ct);
                    stats.ResentDeferred += again;
                    Interlocked.Exchange(ref _resendQueued, 1);
                    signal.Notify();
                    logger.LogInformation("The central service lacked dictionary {Dictionary}: sending it and {Count} samples again", dictionary, again);
                }
                else if (receipt is null) logger.LogWarning("Ignored a receipt that does not parse ({Bytes} bytes)", payload.Length);
                await e.AcknowledgeAsync(CancellationToken.None);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception ex)
            {
                // Not acknowledged: redelivered on the next session; meanwhile the timeout covers the rows.
                logger.LogWarning("Could not apply a receipt: {Error}", ex.Message);
            }
        }
    }

    private static bool Ranges(string? text, out List<(long From, long To)> ranges)
    {
        if (string.IsNullOrEmpty(text)) { ranges = []; return true; }
        return SeqRanges.TryParse(text, BatchValidator.MaxSeq, 1_000_000, out ranges);
    }

    private async Task ConnectAsync(IMqttClient client, AgentOptions opts, string receiptsTopic, CancellationToken ct)
    {
        var statusTopic = Topics.For(opts.Site, opts.Device, TopicKind.Status);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(opts.Broker.Host, opts.Broker.Port)
            .WithClientId(opts.Broker.ClientId ?? $"agent-{opts.Site}-{opts.Device}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)opts.Broker.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(opts.Broker.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(statusTopic)
            .WithWillPayload(BatchCodec.Encode(new DeviceStatus { State = "offline", AgentVersion = AgentVersion, Stream = buffer.StreamId }))
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        if (opts.Broker.Username is not null) builder.WithCredentials(opts.Broker.Username, opts.Broker.Password);
        if (opts.Broker.UseTls) builder.WithTlsOptions(o => o.UseTls());

        _capabilities = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var connect = await client.ConnectAsync(builder.Build(), ct);
        stats.Connects++;
        // Aliases and the dictionary's publication belong to a connection: set up again on each one.
        _aliases.Clear();
        _aliasesSet.Clear();
        _aliasMaximum = opts.Publish.TopicAliases ? connect.TopicAliasMaximum : (ushort)0;
        _dictionaryPublished = 0;
        logger.LogInformation("Connected to broker {Host}:{Port} as {Site}/{Device}, stream {Stream} (session present: {SessionPresent})",
            opts.Broker.Host, opts.Broker.Port, opts.Site, opts.Device, buffer.StreamId, connect.IsSessionPresent);
        if (opts.Publish.Receipts != "off")
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(receiptsTopic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .WithTopicFilter(f => f.WithTopic(Topics.CentralCapabilities).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                .Build();
            var result = await client.SubscribeAsync(subscribe, ct);
            foreach (var item in result.Items)
                if ((int)item.ResultCode > 2)
                    logger.LogWarning("Broker refused the subscription {Topic}: {Code} (does the ACL let this device read its receipts?)", item.TopicFilter.Topic, item.ResultCode);
            if (opts.Publish.Receipts == "required") stats.ReceiptsActive = true;
            else
            {
                // The retained announcement comes right after the SUBACK; without it within the wait, an older central service.
                bool announced;
                try { announced = await _capabilities.Task.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, opts.Publish.CapabilitiesWaitMs)), clock, ct); }
                catch (TimeoutException) { announced = false; }
                if (stats.ReceiptsActive != announced || stats.Connects == 1)
                {
                    stats.ReceiptsActive = announced;
                    if (!announced) WarnNoReceipts();
                }
            }
            // A broker that lost our session may have lost the messages it held for the central service too.
            if (!connect.IsSessionPresent && stats.ReceiptsActive)
            {
                var resent = await buffer.ResendAsync(Time.ToUnixNanoseconds(clock.GetUtcNow()), ct: ct);
                if (resent > 0)
                {
                    stats.ResentSession += resent;
                    logger.LogWarning("The broker had no session for us: sending {Count} unreceipted samples again", resent);
                }
            }
        }
        else stats.ReceiptsActive = false;
        await PublishStatusAsync(client, opts, "online", ct);
    }

    private Task PublishStatusAsync(IMqttClient client, AgentOptions opts, string state, CancellationToken ct) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.For(opts.Site, opts.Device, TopicKind.Status))
            .WithPayload(BatchCodec.Encode(new DeviceStatus { State = state, AgentVersion = AgentVersion, Stream = buffer.StreamId, At = clock.GetUtcNow() }))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build(), ct);
}

/// <summary>Counters the agent reports (status file, logs, health telemetry).</summary>
public sealed class PublisherStats
{
    public long SamplesSent;
    public long BatchesSent;
    public long Connects;
    public long Failures;
    public long BacklogSent;
    /// <summary>Whether samples wait for receipts (the central service announced them, or "required").</summary>
    public volatile bool ReceiptsActive;
    public long ReceiptsReceived;
    /// <summary>When the last receipt arrived (Unix ns; 0 = none yet).</summary>
    public long LastReceiptNs;
    public long ReceiptBytes;
    public long SamplesReceipted;
    public long ReceiptRejected;
    /// <summary>Samples sent again, by why: receipt overdue, a later receipt showed them missing, the broker lost our session.</summary>
    public long ResentOverdue, ResentGap, ResentSession, ResentDeferred;
    /// <summary>Wire-v2 dictionaries published (each growth, each connection, each request).</summary>
    public long DictionariesSent;
    /// <summary>Batches sent with a topic alias in place of their topic.</summary>
    public long AliasedBatches;
    /// <summary>PUBACK → receipt, per published message.</summary>
    public LatencyWindow ReceiptLatency { get; } = new(256);
}

/// <summary>The last N latencies, for percentiles (receipt timeout, health telemetry).</summary>
public sealed class LatencyWindow(int capacity)
{
    private readonly TimeSpan[] _values = new TimeSpan[capacity];
    private int _count, _next;

    public void Add(TimeSpan value)
    {
        lock (_values)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            _count = Math.Min(_count + 1, _values.Length);
        }
    }

    /// <summary>Nearest-rank percentile of the window, null while empty.</summary>
    public TimeSpan? Percentile(double p)
    {
        TimeSpan[] copy;
        lock (_values)
        {
            if (_count == 0) return null;
            copy = _values[.._count];
        }
        Array.Sort(copy);
        return copy[Math.Clamp((int)Math.Ceiling(p * copy.Length) - 1, 0, copy.Length - 1)];
    }
}
