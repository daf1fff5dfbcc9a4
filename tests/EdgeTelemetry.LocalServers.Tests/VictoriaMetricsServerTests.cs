using System.Net;
using System.Text;
using EdgeTelemetry.LocalServers;

namespace EdgeTelemetry.LocalServers.Tests;

public sealed class VictoriaMetricsServerTests
{
    [Fact]
    public async Task Line_protocol_posted_to_api_v2_write_is_exported_with_its_tags_and_millisecond_time()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        using var http = new HttpClient { BaseAddress = vm.Url };

        // Raw HTTP, so the test checks the server, not a client library.
        var write = await http.PostAsync("/api/v2/write?org=o&bucket=b&precision=ns",
            new StringContent("tank,site=mdd level=1.25 1764000000123000000\n", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);

        var series = Assert.Single(await vm.ExportAsync("""{__name__="tank_level"}"""));
        Assert.Equal("mdd", series.Labels["site"]);
        Assert.Equal([1.25], series.Values);
        Assert.Equal([1_764_000_000_123L], series.TimestampsMs);
    }

    [Fact]
    public async Task With_basic_auth_a_write_without_the_credentials_is_refused_with_401()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync(("central", "s3cret"));
        using var http = new HttpClient { BaseAddress = vm.Url };

        var write = await http.PostAsync("/api/v2/write?org=o&bucket=b", new StringContent("tank level=1\n", Encoding.UTF8));

        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Empty(await vm.ExportAsync("""{__name__="tank_level"}"""));
    }
}
