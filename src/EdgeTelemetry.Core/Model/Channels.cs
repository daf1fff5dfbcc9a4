namespace EdgeTelemetry.Model;

/// <summary>A channel the data model defines: where it is stored and in which unit.</summary>
public sealed record ChannelDefinition(string Measurement, string Field, string Unit, string Description);

/// <summary>
/// The catalogue of well-known measurements and fields (docs/data-model.md is its prose form).
/// The central service rejects a known field that arrives in another unit; unknown fields are
/// accepted with any known unit so a new sensor needs no central release.
/// </summary>
public static class Channels
{
    public static readonly IReadOnlyList<ChannelDefinition> All =
    [
        new("centrifuge", "bowl_speed", Units.Rpm, "Centrifugal concentrator bowl speed"),
        new("centrifuge", "bowl_g", Units.GForce, "Bowl G-force from speed and bowl radius"),
        new("centrifuge", "fluidisation_pressure", Units.KiloPascal, "Fluidisation (back-pressure) water pressure"),
        new("centrifuge", "fluidisation_flow", Units.LitresPerMinute, "Fluidisation water flow"),
        new("centrifuge", "feed_rate", Units.TonnesPerHour, "Ore feed rate to the concentrator"),
        new("centrifuge", "pulp_density", Units.PercentSolids, "Feed pulp density"),
        new("centrifuge", "motor_current", Units.Ampere, "Bowl motor current"),
        new("shaking_table", "stroke_rate", Units.StrokesPerMinute, "Table stroke rate"),
        new("shaking_table", "stroke_length", Units.Millimetre, "Table stroke length"),
        new("shaking_table", "wash_water_flow", Units.LitresPerMinute, "Wash water flow"),
        new("shaking_table", "feed_rate", Units.TonnesPerHour, "Concentrate feed rate to the table"),
        new("shaking_table", "vibration_rms", Units.StandardGravity, "RMS deck acceleration"),
        new("sluice", "water_flow", Units.LitresPerMinute, "Sluice water flow"),
        new("sluice", "feed_rate", Units.TonnesPerHour, "Sluice feed rate"),
        new("mercury_vapour", "hg", Units.MicrogramPerCubicMetre, "Elemental mercury vapour concentration in air"),
        new("environment", "temperature", Units.Celsius, "Air temperature"),
        new("environment", "humidity", Units.RelativeHumidity, "Relative humidity"),
        new("environment", "pressure", Units.HectoPascal, "Barometric pressure"),
        new("weighing", "mass", Units.Kilogram, "Load-cell mass"),
    ];

    private static readonly Dictionary<(string, string), ChannelDefinition> ByKey =
        All.ToDictionary(c => (c.Measurement, c.Field));

    public static ChannelDefinition? Find(string measurement, string field) =>
        ByKey.GetValueOrDefault((measurement, field));
}
