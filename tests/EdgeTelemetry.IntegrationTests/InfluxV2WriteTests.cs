using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// <c>Influx:Api=V2</c> against a real server: Debian's influxd 1.6 serves only v1, VictoriaMetrics serves
/// <c>/api/v2/write</c>, so the writer (InfluxDB.Client underneath) is proven against it and read back through its
/// export API.
/// </summary>
public class InfluxV2WriteTests
{
    private static InfluxWriter V2Writer(VictoriaMetricsServer vm, string? token = "edge-token") =>
        new(new HttpClient(), Options.Create(new InfluxOptions { Url = vm.Url.ToString(), Api = InfluxApi.V2, Org = "pure-earth", Bucket = "edgetelemetry", Token = token }));

    [Fact]
    public async Task V2_writer_stores_our_serializers_lines_with_exact_values_and_times()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        const long t0 = 1_764_000_000_123_000_000; // ns, whole milliseconds: VictoriaMetrics keeps ms
        var points = new[]
        {
            new Point("centrifuge", t0).Tag("site", "md-huepetuhe-01").Tag("equipment", "knelson-md30-1")
                .Field("bowl_speed", 401.25).Field("fluidisation_pressure", 110.5),
            new Point("centrifuge", t0 + 1_000_000_000).Tag("site", "md-huepetuhe-01").Tag("equipment", "knelson-md30-1")
                .Field("bowl_speed", 0.0).Field("fluidisation_pressure", 19.75),
            new Point("mercury_vapour", t0).Tag("site", "md-huepetuhe-01").Tag("equipment", "smelting-area").Field("hg", 0.35),
        };

        await V2Writer(vm).WriteAsync(LineProtocolWriter.Write(points), default);

        var series = (await vm.ExportAsync("""{site="md-huepetuhe-01"}""")).ToDictionary(s => s.Name);
        Assert.Equal(["centrifuge_bowl_speed", "centrifuge_fluidisation_pressure", "mercury_vapour_hg"], series.Keys.Order());
        Assert.Equal([401.25, 0.0], series["centrifuge_bowl_speed"].Values);
        Assert.Equal([110.5, 19.75], series["centrifuge_fluidisation_pressure"].Values);
        Assert.Equal([1_764_000_000_123L, 1_764_000_001_123L], series["centrifuge_bowl_speed"].TimestampsMs);
        Assert.Equal([0.35], series["mercury_vapour_hg"].Values);
        Assert.Equal("knelson-md30-1", series["centrifuge_bowl_speed"].Labels["equipment"]);
    }

    [Fact]
    public async Task Refused_credentials_are_a_retryable_failure_not_a_dead_letter()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync(("central", "s3cret"));
        var line = LineProtocolWriter.Write([new Point("centrifuge", 1_764_000_000_000_000_000).Tag("site", "s").Field("bowl_speed", 400.0)]);

        // The token is not the server's credential: 401. Ingest must keep the messages (retry), not dead-letter them.
        var ex = await Assert.ThrowsAsync<TransientWriteException>(() => V2Writer(vm, token: "wrong").WriteAsync(line, default));

        Assert.Contains("InfluxDB answered 401 (check url, org, bucket and token)", ex.Message);
        Assert.Empty(await vm.ExportAsync("""{__name__="centrifuge_bowl_speed"}"""));
    }
}
