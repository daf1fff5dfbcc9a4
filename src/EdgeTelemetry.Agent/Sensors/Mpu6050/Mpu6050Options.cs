using System.ComponentModel.DataAnnotations;
using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Sensors.Mpu6050;

/// <summary><c>driver: mpu6050</c> — stroke rate and vibration from one window of acceleration per read. Default address 0x68 (AD0 low; 0x69 high).</summary>
public sealed class Mpu6050Options() : I2cSensorOptions(0x68)
{
    /// <summary>The stroke-rate channel (vibration_rms is reported beside it).</summary>
    public string Name { get; set; } = "stroke_rate";
    /// <summary>Length of the window analysed per read.</summary>
    [Range(1, int.MaxValue)]
    public int WindowMs { get; set; } = 2000;
    [Range(1, 1000)]
    public int SampleRateHz { get; set; } = 100;
}
