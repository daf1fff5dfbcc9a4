using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Ds18b20;

/// <summary><c>driver: ds18b20</c> — one 1-wire thermometer read through the kernel's w1 sysfs tree.</summary>
public sealed class Ds18b20Options : SensorOptions
{
    /// <summary>The sensor's w1 id, e.g. 28-000005e2fdc3 (ls /sys/bus/w1/devices).</summary>
    public string? SensorId { get; set; }
    public string W1Root { get; set; } = "/sys/bus/w1/devices";
    public string Name { get; set; } = "temperature";
}
