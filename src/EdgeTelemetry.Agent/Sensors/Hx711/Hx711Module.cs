using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Hx711;

/// <summary>Registration of <c>driver: hx711</c>: readings go to <c>weighing</c> unless the config names a measurement.</summary>
public sealed class Hx711Module : SensorModule<Hx711Options>
{
    public override string Kind => "hx711";
    public override string? Measurement => "weighing";

    protected override void BindTo(IConfigurationSection section, Hx711Options o) => section.Bind(o);

    protected override void Validate(Hx711Options o, SensorCheck check)
    {
        check.Pin("doutPin", o.DoutPin);
        check.Pin("sckPin", o.SckPin);
        if (o.DoutPin is null || o.SckPin is null) check.Problem("", "hx711 needs doutPin and sckPin");
        // The emulated cell brings its own calibration; a real one needs the tare and scale measured on site.
        if (check.RealHardware && (o.Offset is null || o.CountsPerUnit is null)) check.Problem("countsPerUnit", "hx711 needs offset and countsPerUnit (missing calibration)");
        check.Channel("name", o.Name);
    }

    protected override ISensor Create(Hx711Options o, SensorContext ctx, ISensorHardware hardware) =>
        new Hx711Sensor(o.Name, ctx, hardware.OpenLoadCell(o, ctx, new LoadCellSettings(o.DoutPin, o.SckPin, o.Offset, o.CountsPerUnit), o.Name));
}
