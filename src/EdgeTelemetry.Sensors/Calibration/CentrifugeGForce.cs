namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// Relative centrifugal force at a centrifugal concentrator's bowl wall:
/// G = (2π · rpm / 60)² · r / 9.81, with r the bowl radius in metres.
/// E.g. a 30-inch (0.762 m) bowl at 400 rpm: ω = 41.89 rad/s, G = 41.89² · 0.381 / 9.81 ≈ 68.
/// </summary>
public static class CentrifugeGForce
{
    /// <summary>Standard gravity as rounded in the formula used by concentrator vendors.</summary>
    public const double Gravity = 9.81;

    /// <summary>G at the bowl wall for a bowl radius in metres.</summary>
    public static double FromRadius(double rpm, double radiusMetres)
    {
        double omega = 2.0 * Math.PI * rpm / 60.0;
        return omega * omega * radiusMetres / Gravity;
    }

    /// <summary>G at the bowl wall for a bowl diameter in metres (r = d / 2).</summary>
    public static double FromBowlDiameter(double rpm, double diameterMetres) => FromRadius(rpm, diameterMetres / 2.0);

    /// <summary>G with its unit, from an rpm reading that may itself be a fault.</summary>
    public static Measured FromBowlDiameter(Measured rpm, double diameterMetres) =>
        rpm.Value is { } value
            ? new Measured(FromBowlDiameter(value, diameterMetres), "g", rpm.Quality, rpm.Detail)
            : Measured.Faulted("g", rpm.Detail ?? "no rpm value");
}
