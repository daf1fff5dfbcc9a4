using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Sensors.Emulation;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Mpu6050;

/// <summary>Registration of <c>driver: mpu6050</c>.</summary>
public sealed class Mpu6050Module : SensorModule<Mpu6050Options>
{
    public override string Kind => "mpu6050";

    protected override void BindTo(IConfigurationSection section, Mpu6050Options o) => section.Bind(o);

    protected override void Validate(Mpu6050Options o, SensorCheck check)
    {
        check.I2c(o);
        check.Channel("name", o.Name);
        if (o.SampleRateHz < 1) check.Problem("sampleRateHz", "must be at least 1");
    }

    protected override ISensor Create(Mpu6050Options o, SensorContext ctx, ISensorHardware hardware)
    {
        var device = hardware.OpenI2c(o, o.Bus, o.ResolvedAddress(), address => Emulated(ctx, address));
        return new Mpu6050Sensor(o, ctx, device, hardware.WindowClock(device));
    }

    /// <summary>The register-level MPU-6050 on a deck stroking at the plant's rate (0.6 g), on its own clock so a window runs in emulated time.</summary>
    private static EmulatedChip Emulated(SensorContext ctx, int address)
    {
        var time = new ManualClock();
        var mpu = new Mpu6050Emulator(address, time);
        mpu.SetNoise(0.02, seed: 7);
        return new EmulatedChip(mpu, now =>
        {
            var spm = ctx.Truth("stroke_rate", now);
            if (spm > 1) mpu.SetStroke(spm, 0.6); else mpu.StopStroke();
        }, time);
    }
}
