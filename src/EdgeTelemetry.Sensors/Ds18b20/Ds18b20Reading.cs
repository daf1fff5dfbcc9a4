using UnitsNet;

namespace EdgeTelemetry.Sensors.Ds18b20;

/// <summary>One read of one sensor: a temperature, or a fault and no temperature.</summary>
/// <param name="SensorId">The w1 device id, e.g. "28-0316a2794cff".</param>
/// <param name="Celsius">Temperature in °C, or null when <paramref name="Fault"/> is not None.</param>
/// <param name="Fault">Why there is no temperature.</param>
/// <param name="Detail">Human-readable explanation of a fault.</param>
public sealed record Ds18b20Reading(string SensorId, double? Celsius, Ds18b20Fault Fault, string? Detail = null)
{
    /// <summary>True when <see cref="Celsius"/> holds a temperature.</summary>
    public bool IsValid => Fault == Ds18b20Fault.None;

    /// <summary>The temperature as a quantity, or null on a fault.</summary>
    public Temperature? Temperature => Celsius is { } c ? UnitsNet.Temperature.FromDegreesCelsius(c) : null;

    internal static Ds18b20Reading Failed(string id, Ds18b20Fault fault, string detail) => new(id, null, fault, detail);
}
