using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>
/// Real mosquitto and influxd, an hour of the demo plant in InfluxDB, the central service on a
/// Kestrel loopback port and one headless Chromium — shared by the page tests. Nothing starts when
/// Chromium is missing (the tests are skipped then).
/// </summary>
public sealed class LivePlant : IAsyncLifetime
{
    private MosquittoServer? _broker;
    private InfluxDbServer? _influx;
    private WebApplication? _central;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public PlantHour Hour { get; private set; } = null!;
    public ApiOptions Api { get; private set; } = null!;

    /// <summary>This run's key for a role (added beside whatever appsettings.json configures).</summary>
    public string KeyFor(string role) => Api.Keys.Single(k => k.Name == "webpage-test-" + role).Key;

    private static readonly string[] TestRoles = ["operator", "technician"];

    public async Task InitializeAsync()
    {
        if (Chromium.ExecutablePath is null) return;
        var brokerTask = MosquittoServer.StartAsync();
        var influxTask = InfluxDbServer.StartAsync();
        var browserTask = Chromium.LaunchAsync();
        _broker = await brokerTask;
        _influx = await influxTask;
        (_playwright, Browser) = await browserTask;

        Hour = await PlantHour.BuildAsync(DateTimeOffset.UtcNow);
        await _influx.ExecuteAsync($"CREATE DATABASE \"{PlantHour.Database}\"");
        await _influx.WriteAsync(PlantHour.Database, Hour.LineProtocol());

        _central = CentralApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Influx:Url={_influx.Url}",
            $"--Influx:Database={PlantHour.Database}",
            $"--Ingest:BrokerPort={_broker.Port}",
            $"--Ingest:ClientId=central-webpage-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning",
            // Own keys at high indices: the list binder appends them to the configured (demo) keys.
            .. TestRoles.SelectMany((role, i) => new[]
            {
                $"--Api:Keys:{90 + i}:Name=webpage-test-{role}",
                $"--Api:Keys:{90 + i}:Key={role}-{Guid.NewGuid():N}",
                $"--Api:Keys:{90 + i}:Role={role}",
            }),
        ]);
        await _central.StartAsync();
        var address = _central.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Api = _central.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_central is not null)
        {
            await _central.StopAsync();
            await _central.DisposeAsync();
        }
        if (_influx is not null) await _influx.DisposeAsync();
        if (_broker is not null) await _broker.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class LivePlantCollection : ICollectionFixture<LivePlant>
{
    public const string Name = "live plant with central service and chromium";
}
