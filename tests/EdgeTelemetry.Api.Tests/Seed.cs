using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Api.Tests;

/// <summary>Known points in the service's schema (docs/data-model.md), at chosen instants.</summary>
public static class Seed
{
    public static DateTimeOffset At(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture);

    public static long Ns(DateTimeOffset t) => Time.ToUnixNanoseconds(t);

    public static Point Telemetry(string measurement, string device, string equipment, DateTimeOffset t, long seq, params (string Field, double Value)[] fields)
    {
        var p = new Point(measurement, Ns(t)).Tag("site", CentralHost.Site).Tag("device", device).Tag("equipment", equipment);
        foreach (var (f, v) in fields) p.Field(f, v);
        return p.Field("seq", seq);
    }

    public static Point Status(string device, DateTimeOffset t, string state, string agent = "0.1.0", string stream = "stream-1") =>
        new Point("device_status", Ns(t)).Tag("site", CentralHost.Site).Tag("device", device)
            .Field("state", state).Field("online", state == "online").Field("agent", agent).Field("stream", stream);
}
