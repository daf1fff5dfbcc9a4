using System.ComponentModel.DataAnnotations;
using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Hx711;

/// <summary><c>driver: hx711</c> — a load cell on an HX711 (DOUT/PD_SCK on two GPIO pins); raw = offset + countsPerUnit × mass in kg.</summary>
public sealed class Hx711Options : SensorOptions
{
    [Range(0, 27)]
    public int? DoutPin { get; set; }
    [Range(0, 27)]
    public int? SckPin { get; set; }
    /// <summary>Raw code with the empty platform (tare).</summary>
    public double? Offset { get; set; }
    public double? CountsPerUnit { get; set; }
    public string Name { get; set; } = "mass";
}
