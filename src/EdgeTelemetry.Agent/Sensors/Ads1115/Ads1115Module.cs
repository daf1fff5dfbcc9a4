using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.Emulation.Ads1115Model;
using Iot.Device.Ads1115;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors.Ads1115;

/// <summary>Registration of <c>driver: ads1115</c>: checks, the adapter, and the chip that stands in for it when emulated.</summary>
public sealed class Ads1115Module : SensorModule<Ads1115Options>
{
    public override string Kind => "ads1115";

    protected override void BindTo(IConfigurationSection section, Ads1115Options o) => section.Bind(o);

    protected override void Validate(Ads1115Options o, SensorCheck check)
    {
        check.I2c(o);
        if (o.Channels.Count == 0) check.Problem("channels", "an ads1115 needs at least one channel");
        var profile = EquipmentProfiles.Find(check.Equipment?.Profile);
        for (var c = 0; c < o.Channels.Count; c++)
        {
            var ch = o.Channels[c];
            var at = $"channels:{c}";
            try { Ads1115Sensor.ParseInput(ch.Input); } catch (ArgumentException ex) { check.Problem($"{at}:input", ex.Message); }
            if (!(Enum.TryParse<MeasuringRange>(ch.Range, out var range) && Enum.IsDefined(range))) check.Problem($"{at}:range", $"'{ch.Range}' must be FS6144, FS4096, FS2048, FS1024, FS0512 or FS0256");
            if (!Units.Known.Contains(ch.Unit)) check.Problem($"{at}:unit", $"unknown unit '{ch.Unit}'");
            var spec = profile?.Channel(ch.Name);
            if (profile is not null && spec is null) check.Problem($"{at}:name", $"channel '{ch.Name}' is not a channel of profile {profile.Name} ({string.Join(", ", profile.Channels.Select(x => x.Name))})");
            else if (spec is not null && spec.Unit != ch.Unit) check.Problem($"{at}:unit", $"unit mismatch: {profile!.Name}.{ch.Name} is in {spec.Unit}, not {ch.Unit}");
            if (ch.Calibration is null) { check.Problem($"{at}:calibration", "missing calibration (current_loop, voltage_divider, linear, two_point or polynomial)"); continue; }
            if (!string.IsNullOrEmpty(ch.Calibration.Unit) && ch.Calibration.Unit != ch.Unit)
                check.Problem($"{at}:calibration:unit", $"unit mismatch: calibration gives {ch.Calibration.Unit} but the channel is in {ch.Unit}");
            // ChannelCalibration names the bad member as "calibration:member: message".
            try { ChannelCalibration.Create(ch.Calibration, ch.Unit); }
            catch (ArgumentException ex) { check.Problem($"{at}:{ex.Message.Split(':')[0]}", ex.Message[(ex.Message.IndexOf(':') + 1)..].Trim()); }
        }
    }

    protected override ISensor Create(Ads1115Options o, SensorContext ctx, ISensorHardware hardware) =>
        new Ads1115Sensor(o, ctx, hardware.OpenI2c(o, o.Bus, o.ResolvedAddress(), address => Emulated(o, ctx, address)));

    /// <summary>The register-level ADS1115 with each input at the voltage its calibration gives for the plant's value.</summary>
    private static EmulatedChip Emulated(Ads1115Options o, SensorContext ctx, int address)
    {
        var ads = new Ads1115Emulator(address);
        var inputs = o.Channels.Select(c => (Ads1115Sensor.ParseInput(c.Input).Channels().Positive, c.Name, Ads1115Sensor.CalibrationOf(c))).ToList();
        return new EmulatedChip(ads, now =>
        {
            foreach (var (channel, name, calibration) in inputs)
                ads.SetInputVoltage(channel, calibration.ToVolts(ctx.Truth(name, now)));
        });
    }
}
