namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>Acceleration in g (1 g = 9.80665 m/s²) along the chip's X, Y, Z axes, gravity included.</summary>
public readonly record struct Acceleration(double X, double Y, double Z)
{
    /// <summary>√(x² + y² + z²); ≈ 1 g at rest.</summary>
    public double Magnitude => Math.Sqrt(X * X + Y * Y + Z * Z);
}
