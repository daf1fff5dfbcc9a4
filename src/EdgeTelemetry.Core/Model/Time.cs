namespace EdgeTelemetry.Model;

/// <summary>Conversions between .NET time (100 ns ticks) and the wire's Unix nanoseconds.</summary>
public static class Time
{
    public static long ToUnixNanoseconds(DateTimeOffset t) =>
        (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static DateTimeOffset FromUnixNanoseconds(long ns) =>
        DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    /// <summary>2000-01-01T00:00:00Z: nothing this system measures is older; earlier clocks are unset.</summary>
    public static readonly long EarliestPlausibleNs = ToUnixNanoseconds(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
