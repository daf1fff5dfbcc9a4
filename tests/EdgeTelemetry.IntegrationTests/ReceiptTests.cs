using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// Delivered means stored: the agent keeps a sample until the central service's receipt says it is
/// in InfluxDB, so losses between the agent's PUBACK and the write (broker crash, full broker
/// queue, central crash, lost receipt) cost duplicates, never data. Real mosquitto, influxd, SQLite.
/// </summary>
[Collection(nameof(ReceiptTests))]
public class ReceiptTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Influxdb_down_then_the_broker_killed_with_messages_queued_for_the_central_session_loses_nothing()
    {
        // The shipped broker config (autosave_interval 60): a kill -9 within the first minute loses
        // everything the broker held, the messages queued for the central service included.
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync("--Ingest:ReceiveMaximum=5");
        plant.Own(central);
        var agents = new[] { "rc-k1", "rc-k2" };
        var hosts = new List<IHost>();
        foreach (var device in agents) hosts.Add(await plant.StartAgentAsync(device, "centrifuge", intervalMs: 50));
        foreach (var device in agents)
            await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 20, Patience, $"{device}: 20 points stored before the outage");

        await plant.Influx.StopAsync();
        await OutageAsync(TimeSpan.FromSeconds(15));
        var queued = await Task.WhenAll(hosts.Select(async h => (await Plant.BufferOf(h).CountAsync()).AwaitingReceipt));
        await plant.Broker.KillAsync();
        await plant.Broker.StartAgainAsync();
        await plant.Influx.StartAgainAsync();

        var figures = new List<string>();
        for (var i = 0; i < agents.Length; i++)
        {
            var (sampled, stored) = await AllStoredAsync(plant, hosts[i], agents[i]);
            var (resent, _) = await Plant.BufferOf(hosts[i]).ReceiptCountersAsync();
            figures.Add($"{agents[i]}: sampled {sampled}, stored {stored}, awaiting receipt at the kill {queued[i]}, re-sent {resent}, duplicates {Account(central, agents[i]).Duplicates}");
        }
        output.WriteLine("influxdb down 15 s, broker kill -9, both back: " + string.Join("; ", figures));
        await StopAsync(hosts);
    }

    [Fact]
    public async Task A_broker_queue_of_10_messages_and_influxdb_down_for_30_s_loses_nothing()
    {
        await using var plant = await Plant.StartAsync(new Dictionary<string, string> { ["max_queued_messages"] = "10" });
        var central = await plant.StartCentralAsync("--Ingest:ReceiveMaximum=5");
        plant.Own(central);
        var agents = new[] { "rc-q1", "rc-q2" };
        var hosts = new List<IHost>();
        foreach (var device in agents) hosts.Add(await plant.StartAgentAsync(device, "centrifuge", intervalMs: 50));
        foreach (var device in agents)
            await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 20, Patience, $"{device}: 20 points stored before the outage");

        await plant.Influx.StopAsync();
        await OutageAsync(TimeSpan.FromSeconds(30));
        // The broker says so when it starts dropping: the queue overflowed, PUBACKs went on.
        Assert.Contains("Outgoing messages are being dropped", await File.ReadAllTextAsync(plant.Broker.LogPath));
        await plant.Influx.StartAgainAsync();

        var figures = new List<string>();
        for (var i = 0; i < agents.Length; i++)
        {
            var (sampled, stored) = await AllStoredAsync(plant, hosts[i], agents[i]);
            var (resent, _) = await Plant.BufferOf(hosts[i]).ReceiptCountersAsync();
            Assert.True(resent > 0, "the dropped messages were sent again");
            figures.Add($"{agents[i]}: sampled {sampled}, stored {stored}, re-sent {resent}, duplicates {Account(central, agents[i]).Duplicates}");
        }
        output.WriteLine("max_queued_messages 10, influxdb down 30 s: " + string.Join("; ", figures));
        await StopAsync(hosts);
    }

    [Fact]
    public async Task Central_service_gone_after_writing_but_before_the_receipt_costs_exactly_the_redelivered_duplicates()
    {
        await using var plant = await Plant.StartAsync();
        // One write in flight: a second one could reach InfluxDB beside the halted write, unacknowledged too,
        // and add its own (equally harmless) duplicates to the count this test makes exact.
        var first = await plant.StartCentralAsync("--Influx:MaxConcurrentWrites=1");
        const string device = "rc-c1";
        // No timeout re-sends in this test: every duplicate must come from the broker's redelivery.
        var host = await plant.StartAgentFromAsync(plant.AgentConfig(device, "centrifuge", intervalMs: 50), "--Agent:Publish:ReceiptTimeoutSeconds=300");
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 20, Patience, "20 points stored");

        // Halt the pipeline right after a write, before its receipt and acknowledgements.
        var halted = new TaskCompletionSource<IReadOnlyList<PreparedMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Pipeline(first).AfterWrite = async (written, ct) =>
        {
            if (!written.Any(m => m.Device?.Device == device && m.Accepted > 0)) return;
            halted.TrySetResult(written);
            await Task.Delay(Timeout.Infinite, ct);
        };
        var write = await halted.Task.WaitAsync(Patience);
        var inWrite = write.Sum(m => (long)m.Accepted);
        var lastSeq = write.SelectMany(m => m.StoredSeqs).Max(r => r.To);
        await Eventually.TrueAsync(async () => (await plant.StoredSeqsAsync(device)).Contains(lastSeq), Patience, "the halted write is in InfluxDB");
        await first.StopAsync();   // gone without acknowledging: the broker keeps those messages for the session
        await first.DisposeAsync();

        var second = await plant.StartCentralAsync();
        plant.Own(second);
        var (sampled, stored) = await AllStoredAsync(plant, host, device);
        var (resent, _) = await Plant.BufferOf(host).ReceiptCountersAsync();
        var duplicates = Account(second, device).Duplicates;
        Assert.Equal(0, resent);
        Assert.Equal(inWrite, duplicates);
        output.WriteLine($"central gone after a write of {inWrite} samples, before its receipt: sampled {sampled}, stored {stored}, re-sent by the agent {resent}, duplicates {duplicates}");
        await StopAsync([host]);
    }

    [Fact]
    public async Task With_two_instances_the_one_that_stored_a_message_receipts_it_and_a_dead_ones_messages_are_stored_by_the_other()
    {
        await using var plant = await Plant.StartAsync();
        // Two instances of one shared-subscription group, each with its own session.
        var a = await plant.StartCentralAsync("--Ingest:ClientId=central-a-" + Guid.NewGuid().ToString("N")[..6]);
        var b = await plant.StartCentralAsync("--Ingest:ClientId=central-b-" + Guid.NewGuid().ToString("N")[..6]);
        plant.Own(b);
        const string device = "rc-s1";
        var host = await plant.StartAgentFromAsync(plant.AgentConfig(device, "centrifuge", intervalMs: 50), "--Agent:Publish:ReceiptGapGraceSeconds=2");
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 40, Patience, "40 points stored");
        var aMetrics = a.Services.GetRequiredService<IngestMetrics>();
        var bMetrics = b.Services.GetRequiredService<IngestMetrics>();
        Assert.True(aMetrics.ReceiptsSent > 0 && bMetrics.ReceiptsSent > 0, "both instances store and receipt their share");

        // A dies after a write, before its receipts and acknowledgements: those messages stay in its session.
        var heldByA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiptsBefore = aMetrics.ReceiptsSent;
        Pipeline(a).AfterWrite = async (_, ct) => { heldByA.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); };
        await heldByA.Task.WaitAsync(Patience);
        await a.StopAsync();
        await a.DisposeAsync();
        Assert.Equal(receiptsBefore, aMetrics.ReceiptsSent); // no receipt for the write it never finished

        var (sampled, stored) = await AllStoredAsync(plant, host, device);
        var (resent, _) = await Plant.BufferOf(host).ReceiptCountersAsync();
        output.WriteLine($"two instances, one gone mid-write: sampled {sampled}, stored {stored}, re-sent {resent}, receipts from a {aMetrics.ReceiptsSent}, from b {bMetrics.ReceiptsSent}");
        await StopAsync([host]);
    }

    [Fact]
    public async Task Lost_receipts_are_made_good_by_re_sending_with_exactly_counted_duplicates()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        // Drop the first three receipts of each device, as if lost on the way.
        var lost = new Dictionary<string, long>();
        central.Services.GetRequiredService<ReceiptPublisher>().Lose = (topic, receipt) =>
        {
            lock (lost)
            {
                var key = topic.Device + "#";
                var count = lost.GetValueOrDefault(key);
                if (count >= 3) return false;
                lost[key] = count + 1;
                lost[topic.Device] = lost.GetValueOrDefault(topic.Device) + Count(receipt.Stored);
                return true;
            }
        };
        // Gap: a later receipt shows the loss after 1 s. Timeout: no gap rule (grace 1 h), only the 5 s timeout.
        var gap = await plant.StartAgentFromAsync(plant.AgentConfig("rc-l1", "centrifuge", intervalMs: 100), "--Agent:Publish:ReceiptGapGraceSeconds=1", "--Agent:Publish:ReceiptTimeoutSeconds=300");
        var timeout = await plant.StartAgentFromAsync(plant.AgentConfig("rc-l2", "centrifuge", intervalMs: 100), "--Agent:Publish:ReceiptGapGraceSeconds=3600", "--Agent:Publish:ReceiptTimeoutSeconds=5");

        var figures = new List<string>();
        foreach (var (host, device) in new[] { (gap, "rc-l1"), (timeout, "rc-l2") })
        {
            await Eventually.TrueAsync(() => { lock (lost) return Task.FromResult(lost.GetValueOrDefault(device + "#") == 3); }, Patience, $"{device}: three receipts lost");
            var (sampled, stored) = await AllStoredAsync(plant, host, device);
            var (resent, _) = await Plant.BufferOf(host).ReceiptCountersAsync();
            long dropped;
            lock (lost) dropped = lost[device];
            var duplicates = Account(central, device).Duplicates;
            // Each sample of a lost receipt went again; every publication beyond a sample's first is
            // exactly one duplicate centrally; a slow receipt may add a re-send, but few.
            Assert.InRange(resent, dropped, 2 * dropped);
            Assert.Equal(resent, duplicates);
            figures.Add($"{device}: sampled {sampled}, stored {stored}, in lost receipts {dropped}, re-sent {resent}, duplicates {duplicates}");
        }
        output.WriteLine("3 receipts lost per device: " + string.Join("; ", figures));
        await StopAsync([gap, timeout]);
    }

    [Fact]
    public async Task A_central_service_without_receipts_gets_puback_as_sent_until_one_with_receipts_announces_itself()
    {
        await using var plant = await Plant.StartAsync();
        var old = await plant.StartCentralAsync("--Ingest:Receipts=false");
        const string device = "rc-v1";
        var host = await plant.StartAgentAsync(device, "centrifuge", intervalMs: 50);
        var stats = host.Services.GetRequiredService<PublisherStats>();
        var buffer = Plant.BufferOf(host);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 20, Patience, "20 points stored");
        Assert.False(stats.ReceiptsActive);
        Assert.Equal(0, (await buffer.CountAsync()).AwaitingReceipt); // nothing waits for a receipt that never comes
        Assert.Equal(0, old.Services.GetRequiredService<IngestMetrics>().ReceiptsSent);
        await old.StopAsync();
        await old.DisposeAsync();

        var current = await plant.StartCentralAsync();
        plant.Own(current);
        // The retained announcement reaches the connected agent: from then on it waits for receipts.
        await Eventually.TrueAsync(() => Task.FromResult(stats.ReceiptsActive), Patience, "the agent to switch to receipts");
        await Eventually.TrueAsync(async () => stats.SamplesReceipted > 0 && (await buffer.CountAsync()).Receipted > 0, Patience, "receipted samples");
        await AllStoredAsync(plant, host, device);
        await StopAsync([host]);
    }

    [Fact]
    public async Task An_agent_with_receipts_off_keeps_working_against_a_central_service_that_sends_them()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync();
        plant.Own(central);
        const string device = "rc-off";
        var host = await plant.StartAgentFromAsync(plant.AgentConfig(device, "centrifuge", intervalMs: 50), "--Agent:Publish:Receipts=off");
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) >= 50, Patience, "50 points stored");
        var stats = host.Services.GetRequiredService<PublisherStats>();
        Assert.False(stats.ReceiptsActive);
        Assert.Equal(0, stats.ReceiptsReceived);
        Assert.Equal(0, (await Plant.BufferOf(host).CountAsync()).AwaitingReceipt);
        await StopAsync([host]);
    }

    /// <summary>
    /// Waits until every sample the agent had taken by now is in InfluxDB and the agent holds a
    /// receipt for each: no seq up to then is missing, and none is still waiting on the device.
    /// </summary>
    private static async Task<(long Sampled, long Stored)> AllStoredAsync(Plant plant, IHost host, string device)
    {
        var buffer = Plant.BufferOf(host);
        var upTo = (await buffer.CountAsync()).Sampled;
        HashSet<long> stored = [];
        await Eventually.TrueAsync(async () =>
        {
            stored = [.. await plant.StoredSeqsAsync(device)];
            var backlog = await buffer.BacklogAsync();
            return Enumerable.Range(1, (int)upTo).All(s => stored.Contains(s)) && (backlog.OldestUnreceiptedSeq ?? long.MaxValue) > upTo;
        }, Patience, $"{device}: seq 1..{upTo} stored and receipted", async () =>
        {
            var missing = Enumerable.Range(1, (int)upTo).Where(s => !stored.Contains(s)).ToList();
            var backlog = await buffer.BacklogAsync();
            return $"{missing.Count} missing (first {string.Join(",", missing.Take(10))}), oldest unreceipted seq {backlog.OldestUnreceiptedSeq}, unreceipted {backlog.Unreceipted}";
        });
        return (upTo, Enumerable.Range(1, (int)upTo).Count(s => stored.Contains(s)));
    }

    private static async Task OutageAsync(TimeSpan length)
    {
        var ends = DateTimeOffset.UtcNow + length;
        await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow >= ends), length + TimeSpan.FromSeconds(5), $"the {length.TotalSeconds:F0} s outage");
    }

    private static async Task StopAsync(IEnumerable<IHost> hosts)
    {
        foreach (var host in hosts)
        {
            var buffer = Plant.BufferOf(host);
            await host.StopAsync();
            host.Dispose();
            await buffer.DisposeAsync();
        }
    }

    private static long Count(string? ranges)
    {
        if (!EdgeTelemetry.Transfer.SeqRanges.TryParse(ranges, BatchValidator.MaxSeq, 100_000, out var parsed)) return 0;
        return parsed.Sum(r => r.To - r.From + 1);
    }

    private static IngestPipeline Pipeline(WebApplication central) =>
        central.Services.GetServices<IHostedService>().OfType<IngestPipeline>().Single();

    private static StreamDelivery Account(WebApplication central, string device) =>
        central.Services.GetRequiredService<DeliveryTracker>().Summary().Single(s => s.Device == device);
}
