using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.Agent.Publishing;

/// <summary>
/// Publishes the buffer's unsent samples in sequence order, QoS 1, and marks them sent only after
/// the broker's PUBACK. A lost connection, a timeout or a refused PUBACK leaves the rows unsent:
/// they go again after reconnecting, and the central side stores a replay as the same points.
/// </summary>
public sealed class MqttPublisher(
    SampleBuffer buffer,
    BufferSignal signal,
    PublisherStats stats,
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
                    await ConnectAsync(client, opts, stoppingToken);
                    backoff.Reset();
                    liveFromSeq = (await buffer.BacklogAsync(stoppingToken)).MaxSeq + 1;
                    backlogEmpty = false;
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
        var payload = BatchCodec.Encode(BatchCodec.ToBatch(options.Value.Site, options.Value.Device, buffer.StreamId, AgentVersion, samples, sentNs));
        // Halve the batch until it fits; a single sample always fits (readings per sample are few).
        var count = samples.Count;
        while (payload.Length > opts.MaxBatchBytes && count > 1)
        {
            count /= 2;
            payload = BatchCodec.Encode(BatchCodec.ToBatch(options.Value.Site, options.Value.Device, buffer.StreamId, AgentVersion, samples.Take(count), sentNs));
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .Build();

        // Bounded by its own timeout, not by shutdown: cancelling a publish mid-flight drops the
        // connection, and the drain on a clean stop would then have nothing to send through.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(opts.PublishTimeoutSeconds));
        var result = await client.PublishAsync(message, timeout.Token);

        var delivered = result.ReasonCode == MqttClientPublishReasonCode.Success
            || (!opts.RequireSubscriber && result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers);
        if (!delivered)
            throw new InvalidOperationException(result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers
                ? "broker has no subscriber for telemetry (is the central service's session created?); data stays buffered"
                : $"broker refused the batch: {result.ReasonCode} {result.ReasonString}");

        var seqs = samples.Take(count).Select(s => s.Seq).ToArray();
        await buffer.MarkSentAsync(seqs, CancellationToken.None);
        stats.SamplesSent += seqs.Length;
        stats.BatchesSent++;
        return count;
    }

    private async Task ConnectAsync(IMqttClient client, AgentOptions opts, CancellationToken ct)
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

        await client.ConnectAsync(builder.Build(), ct);
        stats.Connects++;
        logger.LogInformation("Connected to broker {Host}:{Port} as {Site}/{Device}, stream {Stream}",
            opts.Broker.Host, opts.Broker.Port, opts.Site, opts.Device, buffer.StreamId);
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

/// <summary>Counters the agent reports (status file, logs, later health telemetry).</summary>
public sealed class PublisherStats
{
    public long SamplesSent;
    public long BatchesSent;
    public long Connects;
    public long Failures;
    public long BacklogSent;
}
