using System.Net;
using EdgeTelemetry.Central;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Api.Tests.Security;

/// <summary>Who may do what: operator ⊂ technician ⊂ researcher ⊂ admin, for every endpoint of the users' API.</summary>
[Collection(InfluxCollection.Name)]
public class AccessTests(InfluxFixture influx) : IAsyncLifetime
{
    private CentralHost _host = null!;

    public async Task InitializeAsync() => _host = await CentralHost.StartAsync(influx.Server);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string Period = "site=md-test&from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z";
    private const string BatchId = "md-test.icon-i150-1.20260303T080000Z";

    /// <summary>Each endpoint with the lowest role allowed to use it.</summary>
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "GET", "/api/devices", "operator" },
        { "GET", "/api/devices/md-test/centrifuge-01", "operator" },
        { "GET", $"/api/batches?{Period}", "technician" },
        { "GET", $"/api/batches/{BatchId}", "technician" },
        { "GET", $"/api/reports/mercury?{Period}", "technician" },
        { "GET", $"/api/reports/mercury?{Period}&format=html", "technician" },
        { "GET", "/api/reports/key?format=pem", "technician" },
        { "GET", $"/api/export?{Period}&equipment=icon-i150-1", "researcher" },
        { "POST", "/api/batches", "admin" },
        { "PUT", $"/api/batches/{BatchId}/assays", "admin" },
        { "GET", "/api/delivery", "operator" },
        { "GET", "/api/admin/devices", "admin" },
        { "PUT", "/api/admin/devices/md-test/centrifuge-01/key", "admin" },
        { "POST", "/api/admin/devices/md-test/centrifuge-01/revoke", "admin" },
    };

    private async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method != "GET") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_role_gets_in_exactly_when_it_ranks_at_or_above_the_endpoints_role(string method, string url, string lowest)
    {
        string[] roles = ["operator", "technician", "researcher", "admin"];
        foreach (var role in roles)
        {
            var status = await SendAsync(_host.Client(role), method, url);
            var allowed = Array.IndexOf(roles, role) >= Array.IndexOf(roles, lowest);
            if (allowed) Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{role} {method} {url}: {status}");
            else Assert.True(status == HttpStatusCode.Forbidden, $"{role} {method} {url}: expected 403, got {status}");
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Missing_or_wrong_keys_are_unauthorized(string method, string url, string _)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(_host.Client(), method, url));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(_host.ClientWithHeader("X-Api-Key", "not-a-key-0000000000"), method, url));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(_host.ClientWithHeader("Authorization", "Bearer " + CentralHost.Keys["admin"]), method, url));
    }

    [Fact]
    public async Task The_key_is_also_accepted_as_an_authorization_header()
    {
        var client = _host.ClientWithHeader("Authorization", "ApiKey " + CentralHost.Keys["operator"]);

        var (status, _) = await client.GetJsonAsync("/api/devices");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_refusal_says_what_was_wrong_and_how_to_send_a_key()
    {
        using var response = await _host.Client().GetAsync("/api/devices");
        var (_, forbidden) = await _host.Client("operator").GetJsonAsync($"/api/reports/mercury?{Period}");

        Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("X-Api-Key", await response.Content.ReadAsStringAsync());
        Assert.Contains("operator", forbidden.Str("detail"));
    }

    [Fact]
    public async Task Keys_never_reach_the_log()
    {
        // Everything logged, down to Trace, including ASP.NET Core's own authentication and request logs.
        await using var host = await CentralHost.StartAsync(influx.Server, null, null, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:EdgeTelemetry.Central.Ingest=Error");
        foreach (var (_, key) in CentralHost.Keys)
        {
            await host.ClientWithHeader("X-Api-Key", key).GetAsync($"/api/export?{Period}&equipment=icon-i150-1");
            await host.ClientWithHeader("Authorization", "ApiKey " + key).GetAsync($"/api/reports/mercury?{Period}");
            await host.ClientWithHeader("X-Api-Key", key + "-wrong").GetAsync("/api/devices");
        }
        await host.ClientWithHeader("X-Api-Key", "guessed-key-123456789").GetAsync("/api/devices");

        Assert.Contains(host.Logs.Messages, m => m.Contains("ApiKey was not authenticated"));
        foreach (var message in host.Logs.Messages)
        {
            Assert.DoesNotContain("guessed-key-123456789", message);
            foreach (var (_, key) in CentralHost.Keys) Assert.DoesNotContain(key, message);
        }
    }

    [Fact]
    public async Task The_health_endpoint_stays_open_without_a_key()
    {
        using var response = await _host.Client().GetAsync("/healthz");

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_short_key_or_unknown_role_stops_the_service_from_starting_without_showing_the_key()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => CentralHost.StartAsync(influx.Server, null, null,
            "--Api:Keys:4:Name=field-laptop", "--Api:Keys:4:Key=short-secret", "--Api:Keys:4:Role=operator",
            "--Api:Keys:5:Name=visitor", "--Api:Keys:5:Key=visitor-key-0123456789abc", "--Api:Keys:5:Role=guest"));

        Assert.Contains("field-laptop", ex.Message);
        Assert.Contains("at least 16 characters", ex.Message);
        Assert.Contains("visitor", ex.Message);
        Assert.DoesNotContain("short-secret", ex.Message);
    }

    [Fact]
    public async Task A_demo_key_outside_the_development_environment_stops_the_service_and_says_how_to_set_keys()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => CentralHost.StartAsync(influx.Server, null, null,
            "--Api:Keys:4:Name=demo-operator", "--Api:Keys:4:Key=demo-operator-key-NOT-SECRET", "--Api:Keys:4:Role=operator"));
        Assert.Contains("demo-operator", ex.Message);
        Assert.Contains("Api:KeysFile", ex.Message);

        // The Development environment (the demo) has them from appsettings.Development.json; other environments have none.
        var dev = await StartBareAsync("--environment", "Development");
        var production = await StartBareAsync();
        try
        {
            foreach (var (app, expected) in new[] { (dev, HttpStatusCode.OK), (production, HttpStatusCode.Unauthorized) })
            {
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                http.DefaultRequestHeaders.Add("X-Api-Key", "demo-operator-key-NOT-SECRET");
                Assert.Equal(expected, (await http.GetAsync("/api/delivery")).StatusCode);
            }
        }
        finally
        {
            foreach (var app in new[] { dev, production }) { await app.StopAsync(); await app.DisposeAsync(); }
        }
    }

    /// <summary>The service with only appsettings*.json keys (no test keys on the command line).</summary>
    private async Task<WebApplication> StartBareAsync(params string[] args)
    {
        var app = Central.CentralApp.Build(["--urls", "http://127.0.0.1:0", $"--Influx:Url={influx.Server.Url}", "--Ingest:BrokerPort=1",
            "--Logging:LogLevel:Default=None", .. args]);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_keys_file_replaces_the_whole_key_list()
    {
        var file = Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"Keys":[{"Name":"site-lead","Key":"site-lead-key-9d8c7b6a5f4e","Role":"technician"}]}""");
        try
        {
            // The command-line keys 0..3 are in configuration too: the file must win over all of them.
            await using var host = await CentralHost.StartAsync(influx.Server, null, null, $"--Api:KeysFile={file}");
            Assert.Equal(HttpStatusCode.OK, (await host.ClientWithHeader("X-Api-Key", "site-lead-key-9d8c7b6a5f4e").GetAsync("/api/delivery")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client("admin").GetAsync("/api/delivery")).StatusCode);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task Every_api_endpoint_answers_401_without_a_key_including_one_that_names_no_policy()
    {
        // An endpoint added under /api without RequireAuthorization is still covered by the fallback policy.
        var app = Central.CentralApp.Build(["--urls", "http://127.0.0.1:0", $"--Influx:Url={influx.Server.Url}", "--Ingest:BrokerPort=1",
            "--Logging:LogLevel:Default=None"]);
        app.MapGet("/api/forgotten", () => "secret");
        await app.StartAsync();
        // (StartBareAsync cannot be used: the endpoint must be mapped before the app starts.)
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/forgotten")).StatusCode);
            var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
                .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().Select(e => e.RoutePattern.RawText ?? "")
                .Where(r => r.StartsWith("/api") && !r.Contains('{')).Distinct().ToList();
            Assert.Contains("/api/delivery", routes);
            foreach (var route in routes)
                Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(route)).StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
