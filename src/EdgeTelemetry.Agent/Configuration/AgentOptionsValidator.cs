using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors;
using EdgeTelemetry.Agent.Sensors.Simulated;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Agent.Configuration;

/// <summary>One problem in a config, located by its key path (e.g. sensors:2:channels:0:calibration).</summary>
public sealed record ConfigProblem(string Path, string Message)
{
    /// <summary>"file:line: sensors[2].channels[0].calibration: message" (line when the key is in the file).</summary>
    public string Format(string? file, IReadOnlyDictionary<string, int>? lines)
    {
        var line = lines is null ? null : LineOf(Path, lines);
        var where = file is null ? "" : line is null ? $"{file}: " : $"{file}:{line}: ";
        return $"{where}{Display(Path)}: {Message}";
    }

    /// <summary>The line of the key, or of its nearest parent present in the file.</summary>
    private static int? LineOf(string path, IReadOnlyDictionary<string, int> lines)
    {
        for (var p = path; p.Length > 0; p = p.Contains(':') ? p[..p.LastIndexOf(':')] : "")
            if (lines.TryGetValue(p, out var line)) return line;
        return null;
    }

    private static string Display(string path) =>
        string.Join("", path.Split(':').Select((part, i) => int.TryParse(part, out _) ? $"[{part}]" : i == 0 ? part : "." + part));
}

/// <summary>
/// Checks a bound configuration the way a site technician needs: every problem at once, each with
/// its place — unknown drivers, I2C addresses or GPIO pins used twice, missing calibration, unit
/// mismatches, alarms on channels the equipment does not have.
/// </summary>
public static class AgentOptionsValidator
{
    private static readonly string[] I2cDrivers = ["ads1115", "bme280", "mpu6050"];

    public static IReadOnlyList<ConfigProblem> Validate(AgentOptions o)
    {
        var p = new List<ConfigProblem>();
        void Add(string path, string message) => p.Add(new ConfigProblem(path, message));

        if (!Topics.IsValidId(o.Site)) Add("site", $"'{o.Site}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
        if (!Topics.IsValidId(o.Device)) Add("device", $"'{o.Device}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
        if (string.IsNullOrWhiteSpace(o.Broker.Host)) Add("broker:host", "is empty");
        if (o.Broker.Port is < 1 or > 65535) Add("broker:port", $"{o.Broker.Port} is not a TCP port");
        if (string.IsNullOrWhiteSpace(o.Buffer.Path)) Add("buffer:path", "is empty");
        if (o.Buffer.Synchronous is not ("FULL" or "NORMAL" or "EXTRA")) Add("buffer:synchronous", $"'{o.Buffer.Synchronous}' must be FULL, NORMAL or EXTRA");
        if (o.Publish.MaxSamplesPerBatch < 1) Add("publish:maxSamplesPerBatch", "must be at least 1");
        if (o.Publish.Receipts is not ("auto" or "required" or "off")) Add("publish:receipts", $"'{o.Publish.Receipts}' must be auto, required or off");
        if (o.Publish.ReceiptTimeoutSeconds < 0) Add("publish:receiptTimeoutSeconds", "must be 0 (derived from the receipt latency) or more");
        if (o.Publish.ReceiptGapGraceSeconds < 0) Add("publish:receiptGapGraceSeconds", "must be 0 or more");
        if (o.Hardware is not ("real" or "emulated")) Add("hardware", $"'{o.Hardware}' must be real or emulated");
        if (o.Sensors.Count == 0) Add("sensors", "at least one sensor is required");

        var channelsByEquipment = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < o.Equipment.Count; i++)
        {
            var e = o.Equipment[i];
            var at = $"equipment:{i}";
            if (!IsEquipmentId(e.Id)) Add($"{at}:id", $"'{e.Id}' must match [A-Za-z0-9][A-Za-z0-9_.-]{{0,63}}");
            if (o.Equipment.Take(i).Any(x => x.Id == e.Id)) Add($"{at}:id", $"equipment '{e.Id}' is defined twice");
            var profile = EquipmentProfiles.Find(e.Profile);
            if (profile is null) { Add($"{at}:profile", $"unknown profile '{e.Profile}' ({string.Join(", ", EquipmentProfiles.All.Keys)})"); continue; }
            channelsByEquipment[e.Id] = [.. profile.Channels.Select(c => c.Name)];
            for (var a = 0; a < e.Alarms.Count; a++)
            {
                var alarm = e.Alarms[a];
                if (alarm.Channel is { } ch && profile.Channel(ch) is null) Add($"{at}:alarms:{a}:channel", $"alarm '{alarm.Id}' watches '{ch}', which profile {profile.Name} does not have ({string.Join(", ", profile.Channels.Select(c => c.Name))})");
                if (alarm.WhileChannel is { } wc && profile.Channel(wc) is null) Add($"{at}:alarms:{a}:whileChannel", $"alarm '{alarm.Id}' depends on '{wc}', which profile {profile.Name} does not have");
                if (alarm.Comparison is { } c && c is not ("above" or "below")) Add($"{at}:alarms:{a}:comparison", $"'{c}' must be above or below");
            }
            try { AlarmRuleBuilder.Build(e, profile); }
            catch (ArgumentException ex) { Add($"{at}:alarms", ex.Message); }
        }

        var i2c = new Dictionary<(int Bus, int Address), string>();
        var pins = new Dictionary<int, string>();
        for (var i = 0; i < o.Sensors.Count; i++)
        {
            var s = o.Sensors[i];
            var at = $"sensors:{i}";
            if (!SensorFactory.Drivers.Contains(s.Driver)) { Add($"{at}:driver", $"unknown driver '{s.Driver}' ({string.Join(", ", SensorFactory.Drivers)})"); continue; }
            if (s.IntervalMs < 10) Add($"{at}:intervalMs", $"{s.IntervalMs} is below 10 ms");
            var equipment = o.Equipment.FirstOrDefault(e => e.Id == s.Equipment);
            if (s.Driver == "simulated")
            {
                var profile = equipment?.Profile ?? s.Profile;
                if (!SimulatedSensor.Profiles.Contains(profile)) Add($"{at}:profile", $"unknown profile '{profile}' ({string.Join(", ", SimulatedSensor.Profiles)})");
                if (!IsEquipmentId(s.Equipment)) Add($"{at}:equipment", $"'{s.Equipment}' must match [A-Za-z0-9][A-Za-z0-9_.-]{{0,63}}");
            }
            else if (equipment is null)
            {
                Add($"{at}:equipment", $"'{s.Equipment}' is not listed under equipment");
            }

            if (I2cDrivers.Contains(s.Driver))
            {
                try
                {
                    var key = (s.Bus, I2cAddress.Parse(s.Address, DefaultAddress(s.Driver)));
                    if (i2c.TryGetValue(key, out var other)) Add($"{at}:address", $"I2C bus {key.Bus} address 0x{key.Item2:x2} is already used by {other}");
                    else i2c[key] = $"sensors[{i}] ({s.Driver})";
                }
                catch (ArgumentException ex) { Add($"{at}:address", ex.Message); }
            }
            foreach (var (name, pin) in new[] { ("pin", s.Pin), ("doutPin", s.DoutPin), ("sckPin", s.SckPin) })
            {
                if (pin is not { } n) continue;
                if (n is < 0 or > 27) Add($"{at}:{name}", $"GPIO {n} is not a Raspberry Pi BCM pin (0-27)");
                else if (pins.TryGetValue(n, out var other)) Add($"{at}:{name}", $"GPIO {n} is already used by {other}");
                else pins[n] = $"sensors[{i}].{name}";
            }
            if (s.Driver is "pulse_rpm" or "pulse_flow" && s.Pin is null) Add($"{at}:pin", "is required");
            if (s.Driver == "pulse_flow" && s.KFactor is not > 0) Add($"{at}:kFactor", "is required (pulses per litre, > 0)");
            if (s.Driver == "hx711" && (s.DoutPin is null || s.SckPin is null)) Add($"{at}", "hx711 needs doutPin and sckPin");
            if (s.Driver == "hx711" && o.Hardware == "real" && (s.Offset is null || s.CountsPerUnit is null)) Add($"{at}:countsPerUnit", "hx711 needs offset and countsPerUnit (missing calibration)");
            if (s.Driver == "ds18b20" && string.IsNullOrEmpty(s.SensorId)) Add($"{at}:sensorId", "is required (e.g. 28-000005e2fdc3)");
            if (s.Driver == "mercury_serial")
            {
                if (o.Hardware == "real" && string.IsNullOrEmpty(s.Port)) Add($"{at}:port", "is required (e.g. /dev/ttyUSB0)");
                try { MercurySerialSensor.FormatFor(s.Format); } catch (ArgumentException ex) { Add($"{at}:format", ex.Message); }
            }
            if (s.Driver == "ads1115") CheckAdcChannels(s, at, equipment, Add);

            var profileForUnits = EquipmentProfiles.Find(equipment?.Profile);
            var measurement = SensorFactory.MeasurementFor(s, equipment?.Profile ?? s.Profile);
            if (profileForUnits is not null && s.Name is { } single && measurement == profileForUnits.Measurement && profileForUnits.Channel(single) is null)
                Add($"{at}:name", $"channel '{single}' is not a channel of profile {profileForUnits.Name}");
        }
        return p;
    }

    private static void CheckAdcChannels(SensorOptions s, string at, EquipmentOptions? equipment, Action<string, string> add)
    {
        if (s.Channels.Count == 0) add($"{at}:channels", "an ads1115 needs at least one channel");
        var profile = EquipmentProfiles.Find(equipment?.Profile);
        for (var c = 0; c < s.Channels.Count; c++)
        {
            var ch = s.Channels[c];
            var cat = $"{at}:channels:{c}";
            try { Ads1115Sensor.ParseInput(ch.Input); } catch (ArgumentException ex) { add($"{cat}:input", ex.Message); }
            if (!(Enum.TryParse<Iot.Device.Ads1115.MeasuringRange>(ch.Range, out var range) && Enum.IsDefined(range))) add($"{cat}:range", $"'{ch.Range}' must be FS6144, FS4096, FS2048, FS1024, FS0512 or FS0256");
            if (!Units.Known.Contains(ch.Unit)) add($"{cat}:unit", $"unknown unit '{ch.Unit}'");
            var spec = profile?.Channel(ch.Name);
            if (profile is not null && spec is null) add($"{cat}:name", $"channel '{ch.Name}' is not a channel of profile {profile.Name} ({string.Join(", ", profile.Channels.Select(x => x.Name))})");
            else if (spec is not null && spec.Unit != ch.Unit) add($"{cat}:unit", $"unit mismatch: {profile!.Name}.{ch.Name} is in {spec.Unit}, not {ch.Unit}");
            if (ch.Calibration is null) { add($"{cat}:calibration", "missing calibration (current_loop, voltage_divider, linear, two_point or polynomial)"); continue; }
            if (!string.IsNullOrEmpty(ch.Calibration.Unit) && ch.Calibration.Unit != ch.Unit)
                add($"{cat}:calibration:unit", $"unit mismatch: calibration gives {ch.Calibration.Unit} but the channel is in {ch.Unit}");
            try { ChannelCalibration.Create(ch.Calibration, ch.Unit); }
            catch (ArgumentException ex) { add($"{cat}:{ex.Message.Split(':')[0]}", ex.Message[(ex.Message.IndexOf(':') + 1)..].Trim()); }
        }
    }

    private static int DefaultAddress(string driver) => driver switch { "bme280" => 0x76, "mpu6050" => 0x68, _ => 0x48 };

    private static bool IsEquipmentId(string? id) => id is { Length: > 0 and <= 64 } && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
