namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>
/// AFS_SEL, ACCEL_CONFIG bits 4:3 (RM-MPU-6000A-00 §4.5): full-scale range and sensitivity
/// (PS-MPU-6000A-00 §6.2: 16384, 8192, 4096, 2048 LSB/g).
/// </summary>
public enum AccelerometerRange : byte
{
    /// <summary>±2 g, 16384 LSB/g (reset default).</summary>
    G2 = 0,

    /// <summary>±4 g, 8192 LSB/g.</summary>
    G4 = 1,

    /// <summary>±8 g, 4096 LSB/g.</summary>
    G8 = 2,

    /// <summary>±16 g, 2048 LSB/g.</summary>
    G16 = 3,
}

/// <summary>Sensitivity of each <see cref="AccelerometerRange"/>.</summary>
public static class AccelerometerRangeExtensions
{
    /// <summary>Counts per g: 16384 >> AFS_SEL.</summary>
    public static double LsbPerG(this AccelerometerRange range) => 16384 >> (int)range;
}
