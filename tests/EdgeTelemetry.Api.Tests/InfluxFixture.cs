using EdgeTelemetry.LocalServers;

namespace EdgeTelemetry.Api.Tests;

/// <summary>One real influxd for the whole run; every test gets its own database, so tests never see each other's points.</summary>
public sealed class InfluxFixture : IAsyncLifetime
{
    public InfluxDbServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await InfluxDbServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class InfluxCollection : ICollectionFixture<InfluxFixture>
{
    public const string Name = "influxd";
}
