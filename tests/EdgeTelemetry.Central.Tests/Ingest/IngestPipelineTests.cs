using System.IO.Compression;
using System.Net;
using System.Text;
using System.Threading.Channels;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeTelemetry.Central.Tests.Ingest;

/// <summary>
/// The acknowledge-after-write rules at HTTP level, on a fake clock (no waiting): Retry-After is
/// honoured, and a 400 for one message does not hold back the others. Against real InfluxDB the
/// same path is covered by the integration tests.
/// </summary>
public class IngestPipelineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private sealed class ScriptedInflux(Func<string, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        /// <summary>Awaited before a write is answered (lets a test hold one write while another completes).</summary>
        public Func<string, Task>? Gate { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            // The start-up query that restores delivery accounting: an empty database.
            if (request.Method == HttpMethod.Get) return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"results":[{"statement_id":0}]}""") };
            var raw = await request.Content!.ReadAsByteArrayAsync(ct);
            var body = request.Content.Headers.ContentEncoding.Contains("gzip")
                ? await new StreamReader(new GZipStream(new MemoryStream(raw), CompressionMode.Decompress)).ReadToEndAsync(ct)
                : Encoding.UTF8.GetString(raw);
            lock (Bodies) Bodies.Add(body);
            if (Gate is { } gate) await gate(body);
            return respond(body);
        }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => _stopping.Cancel();
    }

    private static (IngestPipeline, Channel<InboundMessage>, IngestMetrics) Create(ScriptedInflux influx, TimeProvider clock, Lifetime? lifetime = null,
        bool replayChecks = false)
    {
        var inbox = Channel.CreateUnbounded<InboundMessage>();
        var metrics = new IngestMetrics();
        var delivery = new DeliveryTracker();
        var ingest = new IngestOptions();
        var health = new IngestHealth(clock);
        var sync = new DeliverySync(new InfluxQueryClient(new HttpClient(influx), Options.Create(new InfluxOptions())), delivery, health,
            Options.Create(ingest), clock, NullLogger<DeliverySync>.Instance);
        var pipeline = new IngestPipeline(inbox.Reader,
            new InfluxWriter(new HttpClient(influx), Options.Create(new InfluxOptions { CreateDatabase = false })),
            metrics, new MessageIngest(metrics, delivery, ingest, NullLogger.Instance, replayChecks ? Replays(influx, delivery, ingest) : null), sync,
            new InFlightBudget(1 << 20), health,
            new ReceiptPublisher(metrics, Options.Create(ingest), NullLogger<ReceiptPublisher>.Instance), lifetime ?? new Lifetime(),
            Options.Create(new InfluxOptions { CreateDatabase = false, FlushIntervalMs = 0 }), Options.Create(ingest),
            clock, NullLogger<IngestPipeline>.Instance);
        pipeline.SetExitCode = _ => throw new InvalidOperationException("unexpected pipeline failure");
        return (pipeline, inbox, metrics);
    }

    private static ReplayGuard Replays(ScriptedInflux influx, DeliveryTracker delivery, IngestOptions ingest)
    {
        var influxOptions = Options.Create(new InfluxOptions());
        var layout = new RetentionLayout(Options.Create(new RetentionOptions()), influxOptions, Options.Create(ingest));
        return new ReplayGuard(new StoredSamples(new InfluxQueryClient(new HttpClient(influx), influxOptions), layout), delivery, []);
    }

    private static (InboundMessage Message, TaskCompletionSource Acked) Message(string device, double bowlSpeed, DateTimeOffset at, List<string>? ackOrder = null)
    {
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batch = BatchCodec.ToBatch("site-a", device, "s1", "t", [new Sample(1, Time.ToUnixNanoseconds(Now), "centrifuge", "cf-1", [new Reading("bowl_speed", bowlSpeed, Units.Rpm)])]);
        return (new InboundMessage($"edgetelemetry/v1/site-a/{device}/telemetry", BatchCodec.Encode(batch), at, _ =>
        {
            if (ackOrder is not null) lock (ackOrder) ackOrder.Add(device);
            acked.TrySetResult();
            return Task.CompletedTask;
        }), acked);
    }

    [Fact]
    public async Task Nothing_is_acknowledged_until_influxdb_accepts_and_retry_after_is_honoured()
    {
        var clock = new FakeTimeProvider(Now);
        var attempts = 0;
        var influx = new ScriptedInflux(_ =>
        {
            if (Interlocked.Increment(ref attempts) > 1) return new HttpResponseMessage(HttpStatusCode.NoContent);
            var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return busy;
        });
        var (pipeline, inbox, metrics) = Create(influx, clock);
        await pipeline.StartAsync(default);
        var (message, acked) = Message("dev-1", 400, Now);
        await inbox.Writer.WriteAsync(message);

        await WaitUntil(() => metrics.WriteRetries == 1);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, Volatile.Read(ref attempts)); // still waiting out Retry-After
        Assert.False(acked.Task.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await acked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref attempts));
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task With_two_writes_in_flight_each_message_is_acknowledged_after_its_own_write_and_in_arrival_order()
    {
        var influx = new ScriptedInflux(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var firstWriting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        influx.Gate = async body =>
        {
            if (body.Contains("device=dev-1,")) { firstWriting.TrySetResult(); await releaseFirst.Task; }
            else if (body.Contains("device=dev-2,")) secondWritten.TrySetResult();
        };
        var (pipeline, inbox, metrics) = Create(influx, new FakeTimeProvider(Now));
        await pipeline.StartAsync(default);
        var order = new List<string>();
        var (first, firstAcked) = Message("dev-1", 400, Now, order);
        var (second, secondAcked) = Message("dev-2", 401, Now, order);

        await inbox.Writer.WriteAsync(first);
        await firstWriting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await inbox.Writer.WriteAsync(second);
        // The second write went out beside the first and is done; its message still waits for the first.
        await secondWritten.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => metrics.SamplesStored == 1);
        Assert.False(secondAcked.Task.IsCompleted);
        Assert.False(firstAcked.Task.IsCompleted);

        releaseFirst.SetResult();
        await Task.WhenAll(firstAcked.Task, secondAcked.Task).WaitAsync(TimeSpan.FromSeconds(10));
        lock (order) Assert.Equal(["dev-1", "dev-2"], order);
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task A_replayed_batch_is_compared_once_its_own_devices_writes_are_done_not_another_devices_held_write()
    {
        var influx = new ScriptedInflux(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var otherWriting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseOther = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        influx.Gate = async body =>
        {
            if (body.Contains("device=dev-1,")) { otherWriting.TrySetResult(); await releaseOther.Task; }
        };
        var (pipeline, inbox, metrics) = Create(influx, new FakeTimeProvider(Now), replayChecks: true);
        await pipeline.StartAsync(default);
        var (original, originalAcked) = Message("dev-2", 401, Now);
        await inbox.Writer.WriteAsync(original);
        await originalAcked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var (held, heldAcked) = Message("dev-1", 400, Now);
        await inbox.Writer.WriteAsync(held);
        await otherWriting.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // dev-2's seq 1 again: compared with InfluxDB, which needs none of dev-1's points to be written first.
        var (replay, replayAcked) = Message("dev-2", 401, Now);
        await inbox.Writer.WriteAsync(replay);
        await WaitUntil(() => metrics.MessagesReceived == 3);
        Assert.Equal(1, metrics.ReplayChecks);
        Assert.False(heldAcked.Task.IsCompleted);

        releaseOther.SetResult();
        await Task.WhenAll(heldAcked.Task, replayAcked.Task).WaitAsync(TimeSpan.FromSeconds(10));
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task A_message_influxdb_refuses_is_dead_lettered_and_the_others_in_its_batch_are_stored()
    {
        var clock = new FakeTimeProvider(Now);
        // InfluxDB refuses any write containing the poisoned device's points (e.g. a field type conflict).
        var influx = new ScriptedInflux(body => body.Contains("device=dev-bad,") && body.Contains("centrifuge,")
            ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("""{"error":"field type conflict"}""") }
            : new HttpResponseMessage(HttpStatusCode.NoContent));
        var (pipeline, inbox, metrics) = Create(influx, clock);
        var (good, goodAcked) = Message("dev-good", 400, Now);
        var (bad, badAcked) = Message("dev-bad", 401, Now);
        await inbox.Writer.WriteAsync(good);
        await inbox.Writer.WriteAsync(bad);
        await pipeline.StartAsync(default);

        await Task.WhenAll(goodAcked.Task, badAcked.Task).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, metrics.Rejected("rejected_by_database"));
        Assert.Equal(1, metrics.SamplesStored);
        Assert.Contains(influx.Bodies, b => b.StartsWith("rejects,device=dev-bad,reason=rejected_by_database,site=site-a ") && b.Contains("field type conflict"));
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task A_message_whose_preparation_throws_is_dead_lettered_with_its_full_payload_and_ingest_goes_on()
    {
        var influx = new ScriptedInflux(_ => new HttpResponseMessage(HttpStatusCode.NoContent));
        var (pipeline, inbox, metrics) = Create(influx, new FakeTimeProvider(Now));
        pipeline.Core.BeforePrepare = topic => { if (topic.Contains("/dev-poison/")) throw new ArgumentException("boom\nwith a line break"); };
        var (poison, poisonAcked) = Message("dev-poison", 400, Now);
        var (good, goodAcked) = Message("dev-good", 400, Now);
        await inbox.Writer.WriteAsync(poison);
        await inbox.Writer.WriteAsync(good);
        await pipeline.StartAsync(default);

        await Task.WhenAll(poisonAcked.Task, goodAcked.Task).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, metrics.Rejected("internal_error"));
        Assert.Equal(1, metrics.SamplesStored);
        var deadLetter = influx.Bodies.SelectMany(b => b.Split('\n')).Single(l => l.StartsWith("rejects,device=dev-poison,reason=internal_error,"));
        Assert.Contains($"payload_b64=\"{Convert.ToBase64String(poison.Payload)}\"", deadLetter);
        Assert.Contains(@"boom\\u000awith a line break", deadLetter); // printable, then line-protocol escaped
        await pipeline.StopAsync(default);
    }

    [Fact]
    public async Task A_failure_of_the_pipeline_itself_stops_the_service_with_a_non_zero_exit_code()
    {
        var influx = new ScriptedInflux(_ => throw new InvalidOperationException("disk on fire"));
        var lifetime = new Lifetime();
        var (pipeline, inbox, _) = Create(influx, new FakeTimeProvider(Now), lifetime);
        var exitCode = 0;
        pipeline.SetExitCode = code => exitCode = code;
        await inbox.Writer.WriteAsync(Message("dev-1", 400, Now).Message);
        await pipeline.StartAsync(default);

        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(70, exitCode);
        await pipeline.StopAsync(default);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition()) await Task.Delay(10, timeout.Token);
    }
}
