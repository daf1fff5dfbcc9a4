using System.Diagnostics;
using System.Net;
using System.Text;
using EdgeTelemetry.LocalServers;
using Xunit.Abstractions;

namespace EdgeTelemetry.LocalServers.Tests;

public sealed class InfluxDbServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Point_written_over_the_v1_api_is_read_back_and_survives_a_restart()
    {
        var sw = Stopwatch.StartNew();
        await using var influx = await InfluxDbServer.StartAsync();
        output.WriteLine($"influxd start: {sw.ElapsedMilliseconds} ms");
        var url = influx.Url;
        using var http = new HttpClient { BaseAddress = influx.Url };

        // Raw HTTP, as the central writer will do it, so the test checks the server, not our helpers.
        var create = await http.PostAsync("/query", new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = "CREATE DATABASE telemetry" }));
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        const long t = 1_700_000_000_123_456_789;
        var write = await http.PostAsync("/write?db=telemetry&precision=ns",
            new StringContent($"hg_vapour,site=mdd,device=ra915-1 ng_m3=42.5,valid=true {t}", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);

        await AssertPointAsync(influx, t);

        sw.Restart();
        await influx.StopAsync();
        output.WriteLine($"influxd stop (SIGTERM): {sw.ElapsedMilliseconds} ms");
        Assert.False(influx.IsRunning);
        sw.Restart();
        await influx.StartAgainAsync();
        output.WriteLine($"influxd start again: {sw.ElapsedMilliseconds} ms");
        Assert.Equal(url, influx.Url);

        await AssertPointAsync(influx, t);
        Assert.Equal(1, await influx.CountAsync("telemetry", "SELECT COUNT(ng_m3) FROM hg_vapour"));
    }

    [Fact]
    public async Task Two_instances_run_side_by_side_and_empty_queries_give_no_rows()
    {
        await using var a = await InfluxDbServer.StartAsync();
        await using var b = await InfluxDbServer.StartAsync();
        Assert.NotEqual(a.Url, b.Url);

        await a.ExecuteAsync("CREATE DATABASE empty");
        Assert.Empty(await a.QueryAsync("empty", "SELECT * FROM nothing"));
        Assert.Equal(0, await a.CountAsync("empty", "SELECT COUNT(v) FROM nothing"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => b.QueryAsync("empty", "SELEKT nonsense"));
    }

    private static async Task AssertPointAsync(InfluxDbServer influx, long t)
    {
        var series = await influx.QuerySeriesAsync("telemetry", "SELECT ng_m3, valid FROM hg_vapour GROUP BY *");
        var s = Assert.Single(series);
        Assert.Equal("hg_vapour", s.Name);
        Assert.Equal("mdd", s.Tags["site"]);
        Assert.Equal(["time", "ng_m3", "valid"], s.Columns);
        var row = Assert.Single(await influx.QueryAsync("telemetry", "SELECT ng_m3, valid FROM hg_vapour"));
        Assert.Equal(new object?[] { t, 42.5, true }, row);
    }
}
