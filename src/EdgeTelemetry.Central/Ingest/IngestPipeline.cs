using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// validate → line protocol → InfluxDB → receipt → acknowledge. Messages are prepared (validated and turned into
/// line protocol) by a stage of their own, ahead of the writes by up to two batches, so preparing the next batch
/// and writing, receipting and acknowledging the last run side by side. They are gathered into one write by size
/// (MaxBatchPoints) and time (FlushIntervalMs); up to Influx:MaxConcurrentWrites writes are in flight,
/// and messages are acknowledged, in order, only once InfluxDB has accepted their write. While InfluxDB is down the write is retried and nothing is acknowledged, so
/// the broker keeps the rest. Each message is prepared inside <see cref="MessageIngest"/>'s fault
/// boundary; should the loop itself fail, the service stops with a non-zero exit code so a
/// supervisor restarts it (a BackgroundService failure alone would exit 0).
/// </summary>
public sealed class IngestPipeline : BackgroundService
{
    private readonly ChannelReader<InboundMessage> _inbox;
    private readonly InfluxWriter _writer;
    private readonly IngestMetrics _metrics;
    private readonly InfluxOptions _influx;
    private readonly IngestOptions _ingest;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly ResiliencePipeline _retry;
    private readonly DeliverySync _sync;
    private readonly InFlightBudget _budget;
    private readonly IngestHealth _health;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ReceiptPublisher _receipts;

    public IngestPipeline(ChannelReader<InboundMessage> inbox, InfluxWriter writer, IngestMetrics metrics,
        MessageIngest core, DeliverySync sync, InFlightBudget budget, IngestHealth health, ReceiptPublisher receipts, IHostApplicationLifetime lifetime,
        IOptions<InfluxOptions> influx, IOptions<IngestOptions> ingest, TimeProvider clock, ILogger<IngestPipeline> logger)
    {
        _sync = sync;
        _inbox = inbox;
        _writer = writer;
        _metrics = metrics;
        Core = core;
        _budget = budget;
        _health = health;
        _lifetime = lifetime;
        _receipts = receipts;
        _influx = influx.Value;
        _ingest = ingest.Value;
        _clock = clock;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientWriteException>().Handle<InfluxUnavailableException>(),
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

    /// <summary>Test hook: how the process exit code is set when the pipeline fails.</summary>
    internal Action<int> SetExitCode { get; set; } = code => Environment.ExitCode = code;

    /// <summary>Test hook: runs after a write succeeded, before its receipts and acknowledgements (a test can halt there).</summary>
    internal Func<IReadOnlyList<PreparedMessage>, CancellationToken, Task>? AfterWrite { get; set; }

    /// <summary>The shared ingest core (also used by offline import).</summary>
    public MessageIngest Core { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _health.PipelineRunning = true;
        try
        {
            await _retry.ExecuteAsync(async ct => await _writer.EnsureDatabaseAsync(ct), stoppingToken);
            await _sync.RestoreAsync(stoppingToken);
            var prepared = Channel.CreateUnbounded<(InboundMessage Message, PreparedMessage Prepared)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            // Bounded in points: preparing runs at most two batches ahead of the writes.
            var ahead = new InFlightBudget(2L * Math.Max(1, _influx.MaxBatchPoints));
            var preparing = Task.Run(() => PrepareAsync(prepared.Writer, ahead, stoppingToken), CancellationToken.None);
            var ready = prepared.Reader;
            // Up to MaxConcurrentWrites writes in flight, the next batch prepared meanwhile; each batch
            // is receipted and acknowledged only after its own write, and batches in arrival order.
            var inFlight = new Queue<(List<(InboundMessage Message, PreparedMessage Prepared)> Batch, List<PreparedMessage> Prepared, Task Write)>();
            var maxWrites = Math.Max(1, _influx.MaxConcurrentWrites);
            while (true)
            {
                if (inFlight.Count == 0)
                {
                    if (!await ready.WaitToReadAsync(stoppingToken)) break;
                }
                else if (inFlight.Count >= maxWrites || inFlight.Peek().Write.IsCompleted || !await ReadableBeforeAsync(ready, inFlight.Peek().Write, stoppingToken))
                {
                    await CompleteAsync(inFlight.Dequeue(), inFlight, ready, stoppingToken);
                    continue;
                }
                var batch = await GatherAsync(ready, ahead, trackWaiting: inFlight.Count == 0, stoppingToken);
                if (batch.Count == 0) continue;
                var lines = batch.Select(b => b.Prepared).ToList();
                inFlight.Enqueue((batch, lines, Core.StoreAsync(lines, _writer, (w, ct) => _retry.ExecuteAsync(async t => await w(t), ct).AsTask(), stoppingToken)));
            }
            await preparing; // the inbox completed: preparing has ended too
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unacknowledged messages are redelivered to this session when it reconnects.
        }
        catch (Exception ex)
        {
            // Not a message's fault (those are dead-lettered in MessageIngest): stop loudly, so a
            // supervisor (systemd Restart=on-failure) restarts the service; unacknowledged messages are redelivered.
            _health.PipelineError = ex.Message;
            _logger.LogCritical(ex, "Ingest pipeline failed; stopping the service with exit code 70");
            SetExitCode(70);
            _lifetime.StopApplication();
        }
        finally
        {
            _health.PipelineRunning = false;
        }
    }

    /// <summary>
    /// The prepare stage: each message through <see cref="MessageIngest.Prepare"/> (which never throws) in arrival
    /// order, waiting while <paramref name="ahead"/> is spent. Should it fail, the pipeline sees the error.
    /// </summary>
    private async Task PrepareAsync(ChannelWriter<(InboundMessage, PreparedMessage)> output, InFlightBudget ahead, CancellationToken ct)
    {
        try
        {
            var access = new ReplayCheckAccess(EarlierWritesAsync, (w, t) => _retry.ExecuteAsync(async t2 => await w(t2), t).AsTask());
            await foreach (var message in _inbox.ReadAllAsync(ct))
            {
                var prepared = await Core.PrepareAsync(message.Topic, message.Payload, message.ReceivedAt, access, signature: message.Signature, ct: ct);
                if (prepared.Device is { } device) lock (_outstanding) CollectionsMarshal.GetValueRefOrAddDefault(_outstanding, (device.Site, device.Device), out _)++;
                await ahead.AcquireAsync(prepared.PointCount, ct);
                await output.WriteAsync((message, prepared), ct);
            }
            output.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
        }
    }

    // Per device, messages handed on to the writes whose write has not completed: the replay check of a device's batch
    // waits until its device has none, so it compares with InfluxDB only after every earlier message of it is there.
    // Per device, not all messages: with two instances most first batches of a device are checked, and waiting for
    // everything in flight made each check cost a write (bench e2e, 10 samples/message: 90 checks, 0.13 of the ceiling).
    private readonly Dictionary<(string Site, string Device), int> _outstanding = [];
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task EarlierWritesAsync(string site, string device, CancellationToken ct)
    {
        while (true)
        {
            var progress = Volatile.Read(ref _progress); // read before the count: a completion in between still wakes us
            lock (_outstanding)
                if (!_outstanding.ContainsKey((site, device))) return;
            await progress.Task.WaitAsync(ct);
        }
    }

    private void Completed(IEnumerable<PreparedMessage> written)
    {
        lock (_outstanding)
            foreach (var m in written)
                if (m.Device is { } d && _outstanding.TryGetValue((d.Site, d.Device), out var n))
                {
                    if (n <= 1) _outstanding.Remove((d.Site, d.Device));
                    else _outstanding[(d.Site, d.Device)] = n - 1;
                }
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>True when a message is ready before <paramref name="write"/> finishes (then gather the next batch meanwhile).</summary>
    private static async Task<bool> ReadableBeforeAsync(ChannelReader<(InboundMessage, PreparedMessage)> ready, Task write, CancellationToken ct)
    {
        var readable = ready.WaitToReadAsync(ct).AsTask();
        return await Task.WhenAny(write, readable) == readable && await readable;
    }

    /// <summary>After a batch's write: receipts, then acknowledgements (a write failure propagates: the pipeline stops).</summary>
    private async Task CompleteAsync((List<(InboundMessage Message, PreparedMessage Prepared)> Batch, List<PreparedMessage> Prepared, Task Write) item,
        Queue<(List<(InboundMessage Message, PreparedMessage Prepared)> Batch, List<PreparedMessage> Prepared, Task Write)> rest,
        ChannelReader<(InboundMessage Message, PreparedMessage Prepared)> ready, CancellationToken ct)
    {
        await item.Write;
        _health.Written();
        if (AfterWrite is { } hook) await hook(item.Prepared, ct);
        // Receipts before acknowledgements: a crash between the two costs a redelivery (a
        // duplicate), never a receipt for points that are not stored.
        await _receipts.PublishAsync(item.Prepared, ct);
        foreach (var (message, prepared) in item.Batch)
        {
            await AcknowledgeAsync(message);
            prepared.Dispose(); // its lines are written; the buffer goes back to the pool
        }
        _metrics.Acknowledged(item.Batch.Count);
        Completed(item.Prepared);
        _health.Waiting(rest.Count > 0 ? rest.Peek().Batch[0].Message.ReceivedAt
            : ready.TryPeek(out var next) ? next.Message.ReceivedAt : _inbox.TryPeek(out var waiting) ? waiting.ReceivedAt : null);
    }

    private async Task<List<(InboundMessage Message, PreparedMessage Prepared)>> GatherAsync(ChannelReader<(InboundMessage Message, PreparedMessage Prepared)> ready,
        InFlightBudget ahead, bool trackWaiting, CancellationToken ct)
    {
        var batch = new List<(InboundMessage, PreparedMessage)>();
        var points = 0;
        var deadline = _clock.GetUtcNow() + TimeSpan.FromMilliseconds(_influx.FlushIntervalMs);
        while (points < _influx.MaxBatchPoints)
        {
            while (points < _influx.MaxBatchPoints && ready.TryRead(out var item))
            {
                if (batch.Count == 0 && trackWaiting) _health.Waiting(item.Message.ReceivedAt); // the oldest message waiting
                ahead.Release(item.Prepared.PointCount);
                batch.Add(item);
                points += item.Prepared.PointCount;
            }
            var remaining = deadline - _clock.GetUtcNow();
            if (points >= _influx.MaxBatchPoints || remaining <= TimeSpan.Zero) break;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(remaining);
            try
            {
                if (!await ready.WaitToReadAsync(wait.Token)) break;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }
        return batch;
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
            _logger.LogDebug(ex, "Acknowledging {Topic} failed", DeadLetterPoints.Printable(message.Topic));
        }
        finally
        {
            _budget.Release(message.Payload.Length);
        }
    }
}
