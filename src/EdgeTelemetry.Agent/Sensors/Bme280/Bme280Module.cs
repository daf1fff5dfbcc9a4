using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Sensors.Emulation;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Bme280;

/// <summary>Registration of <c>driver: bme280</c>: readings go to <c>environment</c> unless the config names a measurement.</summary>
public sealed class Bme280Module : SensorModule<Bme280Options>
{
    public override string Kind => "bme280";
    public override string? Measurement => "environment";

    protected override void BindTo(IConfigurationSection section, Bme280Options o) => section.Bind(o);

    protected override void Validate(Bme280Options o, SensorCheck check) => check.I2c(o);

    protected override ISensor Create(Bme280Options o, SensorContext ctx, ISensorHardware hardware) =>
        new Bme280Sensor(ctx, hardware.OpenI2c(o, o.Bus, o.ResolvedAddress(), address => Emulated(ctx, address)));

    /// <summary>The register-level BME280 (datasheet trimming and compensation) at the plant's air conditions; the plant's pressure is in hPa.</summary>
    private static EmulatedChip Emulated(SensorContext ctx, int address)
    {
        var bme = new Bme280Emulator(address);
        return new EmulatedChip(bme, now => bme.SetEnvironment(ctx.Truth("temperature", now, 28), ctx.Truth("humidity", now, 80), ctx.Truth("pressure", now, 995) * 100));
    }
}
