using System.ComponentModel.DataAnnotations;
using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Pulse;

/// <summary>Pulses counted on one GPIO edge input.</summary>
public abstract class PulseOptions : SensorOptions
{
    /// <summary>BCM pin number.</summary>
    [Range(0, 27)]
    public int? Pin { get; set; }
    public double DebounceMs { get; set; } = 1;
    /// <summary>No pulse for this long means stopped (0 rpm / no flow).</summary>
    public double StoppedAfterSeconds { get; set; } = 3;
}

/// <summary><c>driver: pulse_rpm</c> — a Hall-effect pickup on a shaft; with the equipment's bowlDiameterMm also the bowl's G.</summary>
public sealed class PulseRpmOptions : PulseOptions
{
    public string Name { get; set; } = "bowl_speed";
    public double PulsesPerRevolution { get; set; } = 1;
}

/// <summary><c>driver: pulse_flow</c> — a pulse flow meter.</summary>
public sealed class PulseFlowOptions : PulseOptions
{
    public string Name { get; set; } = "water_flow";
    /// <summary>K-factor, pulses per litre.</summary>
    public double? KFactor { get; set; }
}
