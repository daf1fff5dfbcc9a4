using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Storage;

/// <summary>Retention policies, routing and rollups on a real influxd (docs/operations.md, docs/data-model.md).</summary>
[Collection(InfluxCollection.Name)]
public class RetentionTests(InfluxFixture influx, ITestOutputHelper output)
{
    private static DateTimeOffset HourNow => new(DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UtcNow.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    [Fact]
    public async Task The_service_creates_the_policies_and_rollup_queries_and_routes_raw_process_data_away_from_evidence()
    {
        await using var host = await CentralHost.StartAsync(influx.Server, extraArgs: "--Retention:RawDays=30");
        var writer = new InfluxWriter(new HttpClient(), host.Services.GetRequiredService<IOptions<InfluxOptions>>(), host.Services.GetRequiredService<RetentionLayout>());
        await writer.EnsureDatabaseAsync(default);
        var now = DateTimeOffset.UtcNow;
        await writer.WriteAsync(LineProtocolWriter.Write([
            Telemetry("centrifuge", "cf-1", "icon-i150-1", now.AddMinutes(-5), 1, ("bowl_speed", 400)),
            Telemetry("mercury_vapour", "hg-1", "smelting-area", now.AddMinutes(-5), 1, ("hg", 0.3)),
            // Older than the raw period: the raw policy would refuse it (HTTP 400), so it is kept with the evidence.
            Telemetry("centrifuge", "cf-1", "icon-i150-1", now.AddDays(-45), 2, ("bowl_speed", 390)),
        ]), default);

        var policies = (await influx.Server.QuerySeriesAsync(host.Database, $"SHOW RETENTION POLICIES ON \"{host.Database}\""))[0];
        var byName = policies.Rows.ToDictionary(r => (string)r[0]!, r => (Duration: (string)r[1]!, Default: (bool)r[^1]!));
        Assert.Equal("720h0m0s", byName["raw"].Duration);
        Assert.Equal((87600 + "h0m0s", true), byName["autogen"]); // evidence: 10 years, the default any client reads
        Assert.Equal("26280h0m0s", byName["rollup_1m"].Duration);
        Assert.Equal("87600h0m0s", byName["rollup_1h"].Duration);
        var queries = await influx.Server.QuerySeriesAsync(host.Database, "SHOW CONTINUOUS QUERIES");
        var ours = queries.Single(s => s.Name == host.Database).Rows.Select(r => (string)r[0]!).Order().ToList();
        Assert.Equal(["edgetelemetry_rollup_1h", "edgetelemetry_rollup_1m"], ours);

        Assert.Equal(1L, await CountAsync(host, "SELECT count(bowl_speed) FROM \"raw\".\"centrifuge\""));
        Assert.Equal(1L, await CountAsync(host, "SELECT count(bowl_speed) FROM \"autogen\".\"centrifuge\""));
        Assert.Equal(1L, await CountAsync(host, "SELECT count(hg) FROM \"autogen\".\"mercury_vapour\""));
        Assert.Equal(0L, await CountAsync(host, "SELECT count(hg) FROM \"raw\".\"mercury_vapour\""));

        // Idempotent: a second start (here: a second ensure) keeps one of each.
        await writer.EnsureDatabaseAsync(default);
        queries = await influx.Server.QuerySeriesAsync(host.Database, "SHOW CONTINUOUS QUERIES");
        Assert.Equal(2, queries.Single(s => s.Name == host.Database).Rows.Count);
    }

    [Fact]
    public async Task A_year_exported_at_every_1h_from_the_hour_rollup_equals_the_same_export_on_raw_points()
    {
        // A year of a centrifuge, one sample every 5 minutes with a gap of a day and uneven minutes, ending two hours ago;
        // written as points from before routing (default policy), then rolled up (retention backfill).
        await using var rolled = await CentralHost.StartAsync(influx.Server);
        var end = HourNow - TimeSpan.FromHours(2);
        var start = end - TimeSpan.FromDays(365);
        var seeding = Stopwatch.StartNew();
        var batch = new List<Point>(50_000);
        long seq = 0;
        for (var t = start; t < end; t = t.AddMinutes(5))
        {
            if (t >= start.AddDays(100) && t < start.AddDays(101)) continue; // a day without data
            var i = seq++;
            batch.Add(Telemetry("centrifuge", "cf-1", "icon-i150-1", t.AddSeconds(i % 3 == 0 ? 5 : 0), i + 1,
                ("bowl_speed", 380 + i % 41 + Math.Sin(i / 500.0) * 10), ("fluidisation_pressure", 100 + i % 13)));
            if (batch.Count == 50_000) { await rolled.WriteAsync(batch); batch.Clear(); }
        }
        if (batch.Count > 0) await rolled.WriteAsync(batch);
        seeding.Stop();

        // The same request, once answered from the rollup, once (retention off) from the raw points.
        await using var raw = await CentralHost.StartAsync(influx.Server, rolled.Database, null, "--Retention:Enabled=false");
        var url = $"/api/export?site={CentralHost.Site}&equipment=icon-i150-1&from={Stamp(start)}&to={Stamp(end)}&every=1h&notes=false"; // the bare table: rows compared line by line
        await ExportAsync(rolled, url.Replace("every=1h", "every=1d")); // warm-up: JIT and connections
        await ExportAsync(raw, url.Replace("every=1h", "every=1d"));
        var (fromRollup, rollupTime) = await ExportAsync(rolled, url);
        var (fromRaw, rawTime) = await ExportAsync(raw, url);

        Assert.Equal(fromRaw[0], fromRollup[0]); // the same columns
        Assert.Equal(365 * 24 - 24, fromRaw.Length - 1);
        Assert.Equal(fromRaw.Length, fromRollup.Length);
        for (var r = 1; r < fromRaw.Length; r++)
        {
            var a = fromRaw[r].Split(',');
            var b = fromRollup[r].Split(',');
            Assert.Equal(a[0], b[0]);
            for (var c = 1; c < a.Length; c++)
                Assert.Equal(double.Parse(a[c], CultureInfo.InvariantCulture), double.Parse(b[c], CultureInfo.InvariantCulture), 1e-6);
        }
        output.WriteLine($"seeded {seq} samples (a year at one per 5 min) in {seeding.ElapsedMilliseconds} ms; export of {fromRaw.Length - 1} hourly rows: " +
                         $"rollup {rollupTime.TotalMilliseconds:0} ms, raw {rawTime.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Chart_buckets_of_whole_minutes_read_the_minute_rollup_and_match_raw_mean_min_and_max()
    {
        await using var host = await CentralHost.StartAsync(influx.Server);
        var from = HourNow - TimeSpan.FromHours(3);
        // Minutes with different numbers of samples: a mean of means would be off, sum/count is not.
        var points = new List<Point>();
        long seq = 0;
        for (var m = 0; m < 120; m++)
            for (var s = 0; s < 1 + m % 7; s++)
                points.Add(Telemetry("centrifuge", "cf-1", "icon-i150-1", from.AddMinutes(m).AddSeconds(s * 5), ++seq, ("bowl_speed", 300 + m + s * 10)));
        await host.WriteAsync(points);
        await using var rawHost = await CentralHost.StartAsync(influx.Server, host.Database, null, "--Retention:Enabled=false");

        foreach (var agg in new[] { "mean", "min", "max" })
        {
            var url = $"/api/series?site={CentralHost.Site}&device=cf-1&measurement=centrifuge&fields=bowl_speed&from={Stamp(from)}&to={Stamp(from.AddHours(2))}&every=10m&aggregate={agg}";
            var (s1, rolled) = await host.Client("operator").GetJsonAsync(url);
            var (s2, plain) = await rawHost.Client("operator").GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.OK, s1);
            Assert.Equal(HttpStatusCode.OK, s2);
            var a = plain.GetProperty("fields")[0].GetProperty("values").EnumerateArray().Select(v => v.ValueKind == System.Text.Json.JsonValueKind.Null ? double.NaN : v.GetDouble()).ToList();
            var b = rolled.GetProperty("fields")[0].GetProperty("values").EnumerateArray().Select(v => v.ValueKind == System.Text.Json.JsonValueKind.Null ? double.NaN : v.GetDouble()).ToList();
            Assert.True(a.Count >= 12, $"{a.Count} buckets");
            Assert.Equal(a.Count, b.Count);
            for (var i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i], 1e-9);
        }
    }

    [Fact]
    public void A_read_uses_a_rollup_only_for_whole_buckets_and_reads_the_newest_from_raw_points()
    {
        var layout = new RetentionLayout(Options.Create(new RetentionOptions()), Options.Create(new InfluxOptions()), Options.Create(new Central.Ingest.IngestOptions()));
        var now = At("2026-12-02T14:39:12Z");
        var from = At("2026-01-01T00:00:00Z");
        var to = At("2026-12-02T15:00:00Z");

        Assert.Equal([new ReadPart(from, At("2026-12-02T13:00:00Z"), RetentionLayout.Hour), new ReadPart(At("2026-12-02T13:00:00Z"), to, null)],
            layout.Plan("centrifuge", from, to, TimeSpan.FromHours(1), now));
        Assert.Equal([new ReadPart(from, At("2026-12-02T14:38:00Z"), RetentionLayout.Minute), new ReadPart(At("2026-12-02T14:38:00Z"), to, null)],
            layout.Plan("centrifuge", from, to, TimeSpan.FromMinutes(1), now));
        Assert.Equal([new ReadPart(from, to, null)], layout.Plan("centrifuge", from, to, TimeSpan.FromSeconds(30), now)); // finer than any rollup
        Assert.Equal([new ReadPart(from.AddSeconds(30), to, null)], layout.Plan("centrifuge", from.AddSeconds(30), to, TimeSpan.FromHours(1), now)); // not on a boundary
        Assert.Equal([new ReadPart(from, to, null)], layout.Plan("alarm", from, to, TimeSpan.FromHours(1), now)); // not telemetry
        Assert.Equal([new ReadPart(from, to, null)], layout.Plan("centrifuge", from, to, TimeSpan.FromHours(1), now, "last"));
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<(string[] Lines, TimeSpan Elapsed)> ExportAsync(CentralHost host, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await host.Client("researcher").GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return (body.Split('\n', StringSplitOptions.RemoveEmptyEntries), clock.Elapsed);
    }

    private async Task<long> CountAsync(CentralHost host, string q)
    {
        var rows = await influx.Server.QueryAsync(host.Database, q);
        return rows.Count == 0 ? 0 : Convert.ToInt64(rows[0][1], CultureInfo.InvariantCulture);
    }
}
