using System.Diagnostics;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.IntegrationTests.Fuzz;

/// <summary>
/// No single message can stop, stall or corrupt ingest: 10 000 hostile payloads through real
/// Mosquitto into the central service beside a valid agent stream, then a central restart.
/// Each hostile message is published as its own device (fz-N), so its outcome can be read back
/// one by one: dead-lettered with a reason, or (when the mutation left it valid) stored.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Payloads = 10_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Ten_thousand_hostile_payloads_are_each_dead_lettered_or_stored_the_valid_stream_is_stored_exactly_and_a_restart_resumes_within_seconds()
    {
        await using var plant = await Plant.StartAsync();
        // Per-message warnings would flood the test log; errors (internal_error) still show.
        string[] quiet = ["--Logging:LogLevel:EdgeTelemetry.Central.Ingest.MessageIngest=Error"];
        var central = await plant.StartCentralAsync(quiet);
        var agent = await plant.StartAgentAsync("cf-valid", "centrifuge", intervalMs: 20);
        var buffer = Plant.BufferOf(agent);

        using var fuzzer = new MqttClientFactory().CreateMqttClient();
        await fuzzer.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        var generator = new HostilePayloads(seed: 20261202);
        var kinds = new Dictionary<string, int>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Payloads; i++)
        {
            var device = $"fz-{i}";
            var payload = generator.Next(Plant.Site, device, Time.ToUnixNanoseconds(DateTimeOffset.UtcNow));
            var kind = generator.Kind.Split('+')[0];
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            var topic = $"edgetelemetry/v1/{Plant.Site}/{device}/{(i % 5 == 0 ? "events" : "telemetry")}";
            var result = await fuzzer.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, $"broker refused payload {i} ({generator.Kind}): {result.ReasonCode}");
        }
        output.WriteLine($"published {Payloads} hostile payloads in {watch.Elapsed.TotalSeconds:F1} s: {string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"))}");

        // Every hostile message has an outcome of its own: a dead letter, or stored points.
        HashSet<string> answered = [];
        await Eventually.TrueAsync(async () =>
        {
            answered = await DevicesWithAnOutcomeAsync(plant);
            return answered.Count >= Payloads;
        }, Patience, $"an outcome for each of {Payloads} hostile messages", () => Task.FromResult($"{answered.Count} answered"));
        var metrics = central.Services.GetRequiredService<IngestMetrics>();
        output.WriteLine($"outcomes for all {Payloads} after {watch.Elapsed.TotalSeconds:F1} s; internal_error {metrics.Rejected("internal_error")}; rejects by reason:\n{metrics.ToPrometheusText().Split('\n').Where(l => l.StartsWith("edgetelemetry_rejected_total{")).Aggregate("", (a, l) => a + "  " + l + "\n")}");
        Assert.Equal(0, metrics.Rejected("internal_error")); // a crash caught by the boundary is still a bug to fix
        await AssertHealthyAsync(central);

        // Restart: the service comes back on its persistent session and stores again within seconds.
        var storedBefore = await plant.StoredCountAsync("cf-valid");
        await central.StopAsync();
        await central.DisposeAsync();
        var restart = Stopwatch.StartNew();
        central = await plant.StartCentralAsync(quiet);
        plant.Own(central);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("cf-valid") > storedBefore, TimeSpan.FromSeconds(30),
            "a new valid sample stored after the restart");
        output.WriteLine($"restart to first new write: {restart.Elapsed.TotalSeconds:F2} s");

        // The valid stream, sampled throughout, is stored exactly: every seq once, none missing.
        await agent.StopAsync();
        var sampled = (await buffer.CountAsync()).Sampled;
        List<long> seqs = [];
        await Eventually.TrueAsync(async () => (seqs = await plant.StoredSeqsAsync("cf-valid")).Count >= sampled, Patience,
            $"the valid stream's {sampled} samples stored", () => Task.FromResult($"{seqs.Count} stored"));
        Assert.Equal(Enumerable.Range(1, (int)sampled).Select(i => (long)i), seqs.Order());
        output.WriteLine($"valid stream: sampled {sampled}, stored {seqs.Count}");
        await AssertHealthyAsync(central);
        agent.Dispose();
        await buffer.DisposeAsync();
    }

    /// <summary>The devices whose name starts with <paramref name="prefix"/> that have stored points or a dead letter.</summary>
    internal static async Task<HashSet<string>> DevicesWithAnOutcomeAsync(Plant plant, string prefix = "fz-")
    {
        var series = (await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT count(seq) FROM /.*/, \"raw\"./.*/ WHERE device =~ /^{prefix}/ GROUP BY device"))
            .Concat(await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT count(detail) FROM rejects WHERE device =~ /^{prefix}/ GROUP BY device"));
        return series.Where(s => s.Name is not (Measurements.Delivery or Measurements.DeviceStatus) && s.Rows.Count > 0)
            .Select(s => s.Tags["device"]).ToHashSet();
    }

    private static async Task AssertHealthyAsync(WebApplication central)
    {
        using var http = new HttpClient { BaseAddress = new Uri(central.Urls.First()) };
        var health = await http.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode, await health.Content.ReadAsStringAsync());
    }
}
