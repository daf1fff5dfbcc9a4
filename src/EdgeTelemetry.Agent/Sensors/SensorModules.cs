using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sensors.Ads1115;
using EdgeTelemetry.Agent.Sensors.Bme280;
using EdgeTelemetry.Agent.Sensors.Ds18b20;
using EdgeTelemetry.Agent.Sensors.Hx711;
using EdgeTelemetry.Agent.Sensors.MercuryAnalyser;
using EdgeTelemetry.Agent.Sensors.Mpu6050;
using EdgeTelemetry.Agent.Sensors.Pulse;
using EdgeTelemetry.Agent.Sensors.Simulated;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>The driver registry: one line per driver kind. Adding a driver is its folder plus one line here.</summary>
public static class SensorModules
{
    public static IReadOnlyList<ISensorModule> All { get; } =
    [
        new Ads1115Module(),
        new Bme280Module(),
        new Hx711Module(),
        new Ds18b20Module(),
        new PulseRpmModule(),
        new PulseFlowModule(),
        new Mpu6050Module(),
        new MercurySerialModule(),
        new SimulatedModule(),
    ];

    public static IReadOnlyList<string> Kinds { get; } = [.. All.Select(m => m.Kind)];

    public static ISensorModule? Find(string? kind) => All.FirstOrDefault(m => m.Kind == kind);

    /// <summary>Each entry of a <c>sensors</c> section bound to its driver's options type (the common keys only when the driver is unknown).</summary>
    public static List<SensorOptions> Bind(IConfigurationSection sensors) =>
        [.. sensors.GetChildren().Select(entry => Find(entry[nameof(SensorOptions.Driver)])?.Bind(entry) ?? entry.Get<SensorOptions>() ?? new SensorOptions())];

    /// <summary>For <see cref="ConfigKeyChecker"/>: a sensor entry is checked against its driver's options type; one with an unknown driver is not checked (the validator reports the driver).</summary>
    public static Type? ItemType(Type declared, IConfigurationSection entry) =>
        declared != typeof(SensorOptions) ? declared : Find(entry[nameof(SensorOptions.Driver)])?.OptionsType;
}
