using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeTelemetry.LocalServers;

namespace EdgeTelemetry.Api.Tests.Apis;

/// <summary>When InfluxDB is away or stuck, users get a 503 they can retry, promptly, never a hang or a 500.</summary>
[Collection(InfluxCollection.Name)]
public class InfluxAvailabilityTests(InfluxFixture influx)
{
    [Fact]
    public async Task InfluxDB_being_down_is_a_503_with_retry_after()
    {
        await using var host = await CentralHost.StartAsync(influx.Server, null, null, $"--Influx:Url=http://127.0.0.1:{ChildProcess.FreePort()}");

        using var response = await host.Client("operator").GetAsync("/api/devices");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task InfluxDB_that_accepts_but_never_answers_is_a_503_after_the_request_timeout()
    {
        // A socket that accepts connections and then says nothing, like a wedged server.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptSocketAsync()); });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await CentralHost.StartAsync(influx.Server, null, null, $"--Influx:Url=http://127.0.0.1:{port}", "--Influx:RequestTimeoutSeconds=1");

        var clock = Stopwatch.StartNew();
        using var response = await host.Client("technician").GetAsync("/api/reports/mercury?site=md-test&from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        foreach (var s in accepted.ToArray()) s.Dispose();
    }
}
