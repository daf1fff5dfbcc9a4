using System.ComponentModel.DataAnnotations;
using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.MercuryAnalyser;

/// <summary><c>driver: mercury_serial</c> — a mercury vapour analyser streaming ASCII readings on a serial port.</summary>
public sealed class MercurySerialOptions : SensorOptions
{
    /// <summary>e.g. /dev/ttyUSB0; required on real hardware.</summary>
    public string? Port { get; set; }
    public int Baud { get; set; } = 9600;
    /// <summary>lumex_ra915 (ng/m³, the default) or jerome_j405 (mg/m³).</summary>
    [AllowedValues("lumex_ra915", "jerome_j405")]
    public string? Format { get; set; }
    public string Name { get; set; } = "hg";
}
