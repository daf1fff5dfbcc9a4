using EdgeTelemetry.Agent;
using EdgeTelemetry.Agent.LocalPage;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.LocalServers;
using EdgeTelemetry.Sensors.Emulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeTelemetry.WebPage.Tests;

/// <summary>
/// An agent on emulated hardware with no broker to reach (the site's link is down), a mercury alarm
/// raised by its first sample, a buzzer relay, and its page on a loopback port with an acknowledge PIN.
/// </summary>
public sealed class AgentOnSite : IAsyncLifetime
{
    public const string Pin = "2468";
    public const int BuzzerPin = 23;
    private readonly string _dir = Directory.CreateTempSubdirectory("et-agent-page-").FullName;
    private IHost? _host;

    public Uri PageAddress { get; private set; } = null!;
    public EmulatedGpioDriver Gpio { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Chromium.ExecutablePath is null) return;
        var config = Path.Combine(_dir, "agent.yaml");
        File.WriteAllText(config, $"""
            site: md-huepetuhe-01
            device: centrifuge-01
            hardware: emulated
            broker:
              host: 127.0.0.1
              port: {ChildProcess.FreePort()}
            buffer:
              path: {Path.Combine(_dir, "buffer.db")}
            equipment:
              - id: knelson-md30-1
                profile: centrifuge
                bowlDiameterMm: 762
              - id: smelting-area
                profile: smelting
                alarms:
                  - id: hg_above_tlv
                    threshold: 0.001
                    hysteresis: 0
                    minDurationSeconds: 0
            sensors:
              - driver: simulated
                equipment: knelson-md30-1
                intervalMs: 500
              - driver: simulated
                equipment: smelting-area
                intervalMs: 500
            alarmOutputs:
              outputs:
                - name: buzzer
                  pin: {BuzzerPin}
                  silencedByAcknowledge: true
            localPage:
              enabled: true
              port: 0
              acknowledgePin: "{Pin}"
              language: es
            """);
        _host = await AgentApp.BuildAsync(["--config", config, "--Logging:LogLevel:Default=Warning"]);
        await _host.StartAsync();
        PageAddress = _host.Services.GetRequiredService<LocalPageService>().Address!;
        Gpio = ((EmulatedHardware)_host.Services.GetRequiredService<ISensorHardware>()).Gpio;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
