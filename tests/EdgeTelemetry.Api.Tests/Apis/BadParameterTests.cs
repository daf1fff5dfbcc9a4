using System.Net;

namespace EdgeTelemetry.Api.Tests.Apis;

/// <summary>Every endpoint checks its query string and answers 400 naming the parameter and the problem.</summary>
[Collection(InfluxCollection.Name)]
public class BadParameterTests(InfluxFixture influx) : IAsyncLifetime
{
    private CentralHost _host = null!;

    public async Task InitializeAsync() => _host = await CentralHost.StartAsync(influx.Server);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string Period = "from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z";

    public static TheoryData<string, string, string> Cases => new()
    {
        { "/api/devices?site=MD_TEST", "site", "is not a site id" },
        { "/api/devices?sit=md-test", "sit", "unknown parameter" },
        { "/api/devices/md-test/centrifuge-01?verbose=1", "verbose", "unknown parameter" },
        { "/api/batches", "site", "is required" },
        { "/api/batches?site=md-test", "from", "is required" },
        { "/api/batches?site=md-test&from=2026-03-03&to=2026-03-04T00:00:00Z", "from", "RFC 3339" },
        { "/api/batches?site=md-test&from=2026-03-03T00:00:00&to=2026-03-04T00:00:00Z", "from", "with offset" },
        { "/api/batches?site=md-test&from=2026-03-04T00:00:00Z&to=2026-03-03T00:00:00Z", "to", "must be after 'from'" },
        { $"/api/batches?site=md-test&{Period}&equipment=bad/equipment", "equipment", "is not an equipment id" },
        { $"/api/batches?site=md-test&site=md-other&{Period}", "site", "given more than once" },
        { $"/api/batches/md-test.icon-i150-1.20260303T080000Z?x=1", "x", "unknown parameter" },
        { $"/api/reports/mercury?site=md-test&{Period}&format=pdf", "format", "json, csv, html" },
        { "/api/reports/mercury?site=md-test&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to", "at most 366 days" },
        { $"/api/reports/mercury?{Period}", "site", "is required" },
        { $"/api/export?site=md-test&{Period}", "equipment", "is required" },
        { $"/api/export?site=md-test&equipment=icon-i150-1&{Period}&every=0s", "every", "between 1s and 1d" },
        { $"/api/export?site=md-test&equipment=icon-i150-1&{Period}&every=2d", "every", "between 1s and 1d" },
        { $"/api/export?site=md-test&equipment=icon-i150-1&{Period}&every=5 minutes", "every", "is not a duration" },
        { $"/api/export?site=md-test&equipment=icon-i150-1&{Period}&batches=maybe", "batches", "true or false" },
        { "/api/export?site=md-test&equipment=icon-i150-1&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&every=1s", "every", "more than 10000000 intervals" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_query_parameters_get_a_400_naming_the_parameter(string url, string parameter, string message)
    {
        using var response = await _host.Client("admin").GetAsync(url);
        var (_, problem) = await _host.Client("admin").GetJsonAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(problem.Errors(parameter), m => m.Contains(message));
    }
}
