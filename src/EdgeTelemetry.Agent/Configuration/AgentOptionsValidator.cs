using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors;
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
/// mismatches, alarms on channels the equipment does not have. Each driver's own checks are its
/// module's (Sensors/&lt;Driver&gt;/…Module.cs).
/// </summary>
public static class AgentOptionsValidator
{
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
        if (o.Buffer.SegmentKb is < 8 or > 65536 || o.Buffer.SegmentKb % 4 != 0) Add("buffer:segmentKb", $"{o.Buffer.SegmentKb} must be a multiple of 4 from 8 to 65536");
        if (o.Buffer.ProgressIntervalSeconds is < 0 or > 3600) Add("buffer:progressIntervalSeconds", $"{o.Buffer.ProgressIntervalSeconds} must be 0 to 3600");
        if (o.Publish.MaxSamplesPerBatch < 1) Add("publish:maxSamplesPerBatch", "must be at least 1");
        if (o.Publish.Receipts is not ("auto" or "required" or "off")) Add("publish:receipts", $"'{o.Publish.Receipts}' must be auto, required or off");
        if (o.Publish.Encoding is not ("auto" or "v2" or "json")) Add("publish:encoding", $"'{o.Publish.Encoding}' must be auto, v2 or json");
        if (o.Publish.ReceiptTimeoutSeconds < 0) Add("publish:receiptTimeoutSeconds", "must be 0 (derived from the receipt latency) or more");
        if (o.Publish.ReceiptGapGraceSeconds < 0) Add("publish:receiptGapGraceSeconds", "must be 0 or more");
        if (o.Hardware is not ("real" or "emulated")) Add("hardware", $"'{o.Hardware}' must be real or emulated");
        if (o.Sensors.Count == 0) Add("sensors", "at least one sensor is required");

        for (var i = 0; i < o.Equipment.Count; i++)
        {
            var e = o.Equipment[i];
            var at = $"equipment:{i}";
            if (!EquipmentIds.IsValid(e.Id)) Add($"{at}:id", $"'{e.Id}' must match {EquipmentIds.Pattern}");
            if (o.Equipment.Take(i).Any(x => x.Id == e.Id)) Add($"{at}:id", $"equipment '{e.Id}' is defined twice");
            var profile = EquipmentProfiles.Find(e.Profile);
            if (profile is null) { Add($"{at}:profile", $"unknown profile '{e.Profile}' ({string.Join(", ", EquipmentProfiles.All.Keys)})"); continue; }
            for (var a = 0; a < e.Alarms.Count; a++)
            {
                var alarm = e.Alarms[a];
                if (alarm.Channel is { } ch && profile.Channel(ch) is null) Add($"{at}:alarms:{a}:channel", $"alarm '{alarm.Id}' watches '{ch}', which profile {profile.Name} does not have ({string.Join(", ", profile.Channels.Select(c => c.Name))})");
                if (alarm.WhileChannel is { } wc && profile.Channel(wc) is null) Add($"{at}:alarms:{a}:whileChannel", $"alarm '{alarm.Id}' depends on '{wc}', which profile {profile.Name} does not have");
                if (alarm.Comparison is { } c && c is not ("above" or "below")) Add($"{at}:alarms:{a}:comparison", $"'{c}' must be above or below");
                if (alarm.Severity is { } sev && sev is not ("warning" or "critical")) Add($"{at}:alarms:{a}:severity", $"'{sev}' must be warning or critical");
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
            var module = SensorModules.Find(s.Driver);
            if (module is null) { Add($"{at}:driver", $"unknown driver '{s.Driver}' ({string.Join(", ", SensorModules.Kinds)})"); continue; }
            if (s.IntervalMs < 10) Add($"{at}:intervalMs", $"{s.IntervalMs} is below 10 ms");
            var equipment = o.Equipment.FirstOrDefault(e => e.Id == s.Equipment);
            if (equipment is null && module.NeedsListedEquipment) Add($"{at}:equipment", $"'{s.Equipment}' is not listed under equipment");
            var measurement = SensorFactory.MeasurementFor(s, module, equipment?.Profile ?? s.Profile);
            module.Validate(s, new SensorCheck(i, module.Kind, o, equipment, measurement, p, i2c, pins));
        }
        Alarms.Outputs.AlarmOutputValidator.Validate(o, pins, i2c.Keys.Select(k => k.Bus).ToHashSet(), Add);
        LocalPage.LocalPageOptions.Validate(o.LocalPage, Add);
        return p;
    }
}

/// <summary>Equipment ids: the InfluxDB equipment tag.</summary>
public static class EquipmentIds
{
    public const string Pattern = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    public static bool IsValid(string? id) => id is { Length: > 0 and <= 64 } && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
