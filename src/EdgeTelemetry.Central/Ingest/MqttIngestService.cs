using System.Buffers;
using System.Threading.Channels;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Holds the MQTT session: a persistent session (clean start off) with manual acknowledgement,
/// a shared subscription for telemetry and events (instances in one group split the load) and a
/// plain subscription for device status (every instance sees every device's state).
/// </summary>
public sealed class MqttIngestService(
    ChannelWriter<InboundMessage> inbox,
    InFlightBudget budget,
    ReceiptPublisher receipts,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    ILogger<MqttIngestService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first subscription is in place (tests and readiness wait on it).</summary>
    public Task Subscribed => _subscribed.Task;

    public bool IsConnected { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            // Acknowledged by the pipeline once the points are in InfluxDB.
            e.AutoAcknowledge = false;
            var payload = e.ApplicationMessage.Payload;
            // Waiting here holds the pipeline's memory to its budget; MQTTnet queues what the broker sends meanwhile.
            await budget.AdmitAsync(payload.Length, ct => inbox.WriteAsync(new InboundMessage(
                e.ApplicationMessage.Topic,
                payload.ToArray(),
                clock.GetUtcNow(),
                ack => e.AcknowledgeAsync(ack),
                SignatureOf(e.ApplicationMessage)), ct), stoppingToken);
        };
        client.DisconnectedAsync += e =>
        {
            IsConnected = false;
            receipts.Attach(null);
            if (e.ClientWasConnected)
                logger.LogWarning("Disconnected from broker {Host}:{Port}: {Reason}", o.BrokerHost, o.BrokerPort, e.Reason);
            return Task.CompletedTask;
        };

        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await ConnectAndSubscribeAsync(client, o, stoppingToken);
                    attempt = 0;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(o.ReconnectMaxSeconds, 0.5 * Math.Pow(2, Math.Min(attempt++, 10))) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning("Broker {Host}:{Port} not reachable ({Error}); retrying in {Delay:F1} s", o.BrokerHost, o.BrokerPort, ex.Message, delay.TotalSeconds);
                try { await Task.Delay(delay, clock, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }

        if (client.IsConnected)
        {
            // Normal disconnect keeps the session (and its queue) on the broker for SessionExpirySeconds.
            try { await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None); }
            catch (Exception ex) { logger.LogDebug(ex, "Clean disconnect failed"); }
        }
    }

    /// <summary>
    /// Queues every retained wire-v2 dictionary ahead of the session's messages, read through a throwaway clean
    /// session. The persistent session's queued batches arrive right at connect, before the retained dictionaries
    /// its own subscription brings, and would all be deferred — to be re-sent by agents that may be off by then.
    /// Done when no retained message came for <see cref="IngestOptions.DictionaryPreloadQuietMs"/>; a failure only
    /// costs deferrals.
    /// </summary>
    private async Task PreloadDictionariesAsync(IngestOptions o, CancellationToken ct)
    {
        if (o.DictionaryPreloadQuietMs <= 0) return;
        using var reader = new MqttClientFactory().CreateMqttClient();
        var quiet = TimeSpan.FromMilliseconds(o.DictionaryPreloadQuietMs);
        var lastAt = clock.GetTimestamp();
        var count = 0;
        reader.ApplicationMessageReceivedAsync += async e =>
        {
            if (!e.ApplicationMessage.Retain || e.ApplicationMessage.Payload.IsEmpty) return;
            Interlocked.Exchange(ref lastAt, clock.GetTimestamp());
            Interlocked.Increment(ref count);
            var payload = e.ApplicationMessage.Payload;
            await budget.AdmitAsync(payload.Length, c => inbox.WriteAsync(new InboundMessage(e.ApplicationMessage.Topic, payload.ToArray(), clock.GetUtcNow(), _ => Task.CompletedTask), c), ct);
        };
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(o.BrokerHost, o.BrokerPort)
                .WithClientId($"{o.ClientId}-dictionaries")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithMaximumPacketSize(MaxPacketSize(o))
                .WithTimeout(TimeSpan.FromSeconds(10));
            if (o.Username is not null) options.WithCredentials(o.Username, o.Password);
            if (o.UseTls) options.WithTlsOptions(t => t.UseTls());
            await reader.ConnectAsync(options.Build(), ct);
            await reader.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(Topics.AllDictionaries).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)).Build(), ct);
            Interlocked.Exchange(ref lastAt, clock.GetTimestamp());
            var deadline = clock.GetTimestamp();
            while (clock.GetElapsedTime(Interlocked.Read(ref lastAt)) < quiet && clock.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30))
                await Task.Delay(quiet / 4, clock, ct);
            await reader.DisconnectAsync(cancellationToken: ct);
            logger.LogInformation("Read {Count} retained wire-v2 dictionaries before resuming the session", count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("Could not read the retained dictionaries first ({Error}); batches that arrive before theirs are deferred", ex.Message);
        }
    }

    /// <summary>The device's batch signature properties (the first of each name; the payload itself stays as encoded).</summary>
    private static BatchSignatureProperties? SignatureOf(MqttApplicationMessage message)
    {
        if (message.UserProperties is not { Count: > 0 } properties) return null;
        string? signature = null, keyId = null;
        foreach (var p in properties)
        {
            if (signature is null && p.Name == BatchSignature.SignatureProperty) signature = p.ReadValueAsString();
            else if (keyId is null && p.Name == BatchSignature.KeyIdProperty) keyId = p.ReadValueAsString();
        }
        return signature is null && keyId is null ? null : new BatchSignatureProperties(signature, keyId);
    }

    /// <summary>Sets the socket buffers MQTTnet would otherwise set to 8 KiB (<see cref="IngestOptions.SocketBufferBytes"/>).</summary>
    internal static MqttClientOptions WithSocketBuffers(MqttClientOptions options, IngestOptions o)
    {
        if (options.ChannelOptions is MqttClientTcpOptions tcp && o.SocketBufferBytes > 0) tcp.BufferSize = o.SocketBufferBytes;
        return options;
    }

    /// <summary>The MQTT packet size that carries a payload of Ingest:MaxPayloadBytes (topic and properties need far less than 4 KiB).</summary>
    public static uint MaxPacketSize(IngestOptions o) => (uint)Math.Clamp((long)o.MaxPayloadBytes + 4096, 4096, 268_435_455);

    private async Task ConnectAndSubscribeAsync(IMqttClient client, IngestOptions o, CancellationToken ct)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(o.BrokerHost, o.BrokerPort)
            .WithClientId(o.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)o.SessionExpirySeconds)
            .WithReceiveMaximum((ushort)Math.Clamp(o.ReceiveMaximum, 1, ushort.MaxValue))
            // The broker drops (never sends) a larger packet to us; the payload limit plus room for topic and properties.
            .WithMaximumPacketSize(MaxPacketSize(o))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (o.Username is not null) builder.WithCredentials(o.Username, o.Password);
        if (o.UseTls) builder.WithTlsOptions(t => t.UseTls());

        await PreloadDictionariesAsync(o, ct);
        var connect = await client.ConnectAsync(WithSocketBuffers(builder.Build(), o), ct);
        IsConnected = true;
        receipts.Attach(client);
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"$share/{o.SharedGroup}/{Topics.AllDevices(TopicKind.Telemetry)}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic($"$share/{o.SharedGroup}/{Topics.AllDevices(TopicKind.Events)}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic(Topics.AllDevices(TopicKind.Status)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            // Wire-v2 dictionaries, retained and not shared: every instance needs every device's.
            .WithTopicFilter(f => f.WithTopic(Topics.AllDictionaries).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        var result = await client.SubscribeAsync(subscribe, ct);
        foreach (var item in result.Items)
            if ((int)item.ResultCode > 2)
                throw new InvalidOperationException($"broker refused subscription {item.TopicFilter.Topic}: {item.ResultCode}");
        try
        {
            await receipts.AnnounceAsync(client, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Agents then fall back to PUBACK-as-sent (with a warning on their side); ingest itself goes on.
            logger.LogWarning("Could not announce receipts on {Topic}: {Error}", Topics.CentralCapabilities, ex.Message);
        }
        logger.LogInformation("Subscribed at {Host}:{Port} as {ClientId} (session present: {SessionPresent}, group {Group})",
            o.BrokerHost, o.BrokerPort, o.ClientId, connect.IsSessionPresent, o.SharedGroup);
        _subscribed.TrySetResult();
    }
}
