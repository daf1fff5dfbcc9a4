using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.MercuryAnalyser;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.MercuryAnalyser;

/// <summary>Registration of <c>driver: mercury_serial</c>: checks, the adapter, and the instrument that stands in for it when emulated.</summary>
public sealed class MercurySerialModule : SensorModule<MercurySerialOptions>
{
    public override string Kind => "mercury_serial";

    protected override void BindTo(IConfigurationSection section, MercurySerialOptions o) => section.Bind(o);

    protected override void Validate(MercurySerialOptions o, SensorCheck check)
    {
        if (check.RealHardware && string.IsNullOrEmpty(o.Port)) check.Problem("port", "is required (e.g. /dev/ttyUSB0)");
        try { FormatFor(o.Format); } catch (ArgumentException ex) { check.Problem("format", ex.Message); }
        check.Channel("name", o.Name);
    }

    protected override ISensor Create(MercurySerialOptions o, SensorContext ctx, ISensorHardware hardware)
    {
        var format = FormatFor(o.Format);
        var lines = hardware.OpenSerial(o, o.Port, o.Baud, () => Emulated(o, ctx, format));
        return new MercurySerialSensor(o.Name, ctx, lines, format);
    }

    public static MercuryLineFormat FormatFor(string? name) => name switch
    {
        null or "lumex_ra915" => MercuryLineFormat.LumexRa915,
        "jerome_j405" => MercuryLineFormat.JeromeJ405,
        _ => throw new ArgumentException($"format: '{name}' is not lumex_ra915 or jerome_j405"),
    };

    /// <summary>An analyser printing the plant's concentration in its own unit, one line per read.</summary>
    private static EmulatedInstrument Emulated(MercurySerialOptions o, SensorContext ctx, MercuryLineFormat format)
    {
        var generator = new MercuryAnalyserLineGenerator(format.DefaultUnit ?? MercuryConcentrationUnit.NanogramsPerCubicMetre);
        var port = new EmulatedSerialPort();
        return new EmulatedInstrument(port, now =>
        {
            generator.SetConcentration(ctx.Truth(o.Name, now));
            port.Send(generator.NextLine());
        });
    }
}
