using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Profiles;

/// <summary>A channel a profile expects, its unit and the range outside which a value is implausible.</summary>
public sealed record ChannelSpec(string Name, string Unit, double Min, double Max);

/// <summary>
/// What a kind of equipment measures and which alarms protect it by default (DESIGN.md domain
/// facts). Config can override a default rule's thresholds or add rules.
/// </summary>
public sealed record EquipmentProfile(string Name, string Measurement, IReadOnlyList<ChannelSpec> Channels, IReadOnlyList<AlarmRule> DefaultAlarms)
{
    public ChannelSpec? Channel(string name) => Channels.FirstOrDefault(c => c.Name == name);
}

public static class EquipmentProfiles
{
    /// <summary>Below this the bowl or table counts as stopped.</summary>
    public const double BowlRunningRpm = 50;

    public static readonly EquipmentProfile Centrifuge = new("centrifuge", "centrifuge",
        [
            new("bowl_speed", Units.Rpm, 0, 2000),
            new("bowl_g", Units.GForce, 0, 300),
            new("fluidisation_pressure", Units.KiloPascal, 0, 600),
            new("fluidisation_flow", Units.LitresPerMinute, 0, 500),
            new("feed_rate", Units.TonnesPerHour, 0, 20),
            new("pulp_density", Units.PercentSolids, 0, 80),
            new("motor_current", Units.Ampere, 0, 200),
        ],
        [
            // Without back-pressure water the concentrate bed packs and recovery collapses.
            new AlarmRule("fluidisation_lost", "fluidisation_pressure", Comparison.Below, 30, 5, TimeSpan.FromSeconds(10),
                new AlarmCondition("bowl_speed", Comparison.Above, BowlRunningRpm), AlarmSeverity.Critical),
            new AlarmRule("bowl_stopped_while_feeding", "bowl_speed", Comparison.Below, BowlRunningRpm, 10, TimeSpan.FromSeconds(10),
                new AlarmCondition("feed_rate", Comparison.Above, 0.05), AlarmSeverity.Critical),
        ]);

    public static readonly EquipmentProfile ShakingTable = new("shaking_table", "shaking_table",
        [
            new("stroke_rate", Units.StrokesPerMinute, 0, 600),
            new("stroke_length", Units.Millimetre, 0, 40),
            new("wash_water_flow", Units.LitresPerMinute, 0, 200),
            new("feed_rate", Units.TonnesPerHour, 0, 5),
            new("vibration_rms", Units.StandardGravity, 0, 16),
        ],
        [
            new AlarmRule("table_stopped", "stroke_rate", Comparison.Below, 100, 20, TimeSpan.FromSeconds(30),
                new AlarmCondition("feed_rate", Comparison.Above, 0.01)),
        ]);

    public static readonly EquipmentProfile Sluice = new("sluice", "sluice",
        [
            new("water_flow", Units.LitresPerMinute, 0, 5000),
            new("feed_rate", Units.TonnesPerHour, 0, 50),
        ],
        [
            new AlarmRule("sluice_water_lost", "water_flow", Comparison.Below, 50, 10, TimeSpan.FromSeconds(20),
                new AlarmCondition("feed_rate", Comparison.Above, 0.1)),
        ]);

    /// <summary>A mercury vapour monitor; the action level is the site's (10 µg/m³ by default, overridable).</summary>
    public static readonly EquipmentProfile MercuryVapour = new("mercury_vapour", "mercury_vapour",
        [new("hg", Units.MicrogramPerCubicMetre, 0, 100_000)],
        [new AlarmRule("hg_above_action_level", "hg", Comparison.Above, 10, 1, TimeSpan.FromSeconds(60))]);

    /// <summary>Smelting / retort area: the ACGIH TLV (25 µg/m³) as the default limit.</summary>
    public static readonly EquipmentProfile Smelting = new("smelting", "mercury_vapour",
        [new("hg", Units.MicrogramPerCubicMetre, 0, 100_000)],
        [new AlarmRule("hg_above_tlv", "hg", Comparison.Above, 25, 2.5, TimeSpan.FromSeconds(30), Severity: AlarmSeverity.Critical)]);

    public static readonly IReadOnlyDictionary<string, EquipmentProfile> All =
        new[] { Centrifuge, ShakingTable, Sluice, MercuryVapour, Smelting }.ToDictionary(p => p.Name);

    public static EquipmentProfile? Find(string? name) => name is null ? null : All.GetValueOrDefault(name);
}
