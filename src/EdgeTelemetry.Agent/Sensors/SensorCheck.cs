using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// What a module's validation sees of one <c>sensors[]</c> entry and the rest of the config: problems are reported by
/// field (the loader turns them into <c>file:line: sensors[i].field: message</c>), and I2C addresses and GPIO pins are
/// claimed here so a second user of either is reported wherever it is.
/// </summary>
public sealed class SensorCheck
{
    private readonly string _at;
    private readonly int _index;
    private readonly string _kind;
    private readonly List<ConfigProblem> _problems;
    private readonly Dictionary<(int Bus, int Address), string> _i2c;
    private readonly Dictionary<int, string> _pins;

    internal SensorCheck(int index, string kind, AgentOptions agent, EquipmentOptions? equipment, string measurement,
        List<ConfigProblem> problems, Dictionary<(int Bus, int Address), string> i2c, Dictionary<int, string> pins)
    {
        (_at, _index, _kind, _problems, _i2c, _pins) = ($"sensors:{index}", index, kind, problems, i2c, pins);
        Agent = agent;
        Equipment = equipment;
        Measurement = measurement;
    }

    public AgentOptions Agent { get; }

    /// <summary>The entry under <c>equipment</c> the sensor names, if any.</summary>
    public EquipmentOptions? Equipment { get; }

    /// <summary>The measurement the sensor's readings go to.</summary>
    public string Measurement { get; }

    /// <summary>True on the Pi's buses; emulated hardware brings its own calibration and instruments.</summary>
    public bool RealHardware => Agent.Hardware == "real";

    /// <summary>A problem with <paramref name="field"/> of the entry ("" for the entry itself; nested fields with ':').</summary>
    public void Problem(string field, string message) =>
        _problems.Add(new ConfigProblem(field.Length == 0 ? _at : $"{_at}:{field}", message));

    /// <summary>Checks an I2C address and that no other sensor uses it on the same bus.</summary>
    public void I2c(I2cSensorOptions o)
    {
        try
        {
            var key = (o.Bus, o.ResolvedAddress());
            if (_i2c.TryGetValue(key, out var other)) Problem("address", $"I2C bus {key.Bus} address 0x{key.Item2:x2} is already used by {other}");
            else _i2c[key] = $"sensors[{_index}] ({_kind})";
        }
        catch (ArgumentException ex) { Problem("address", ex.Message); }
    }

    /// <summary>Checks a BCM pin (when set) and that no other sensor uses it.</summary>
    public void Pin(string field, int? pin)
    {
        if (pin is not { } n) return;
        if (n is < 0 or > 27) Problem(field, $"GPIO {n} is not a Raspberry Pi BCM pin (0-27)");
        else if (_pins.TryGetValue(n, out var other)) Problem(field, $"GPIO {n} is already used by {other}");
        else _pins[n] = $"sensors[{_index}].{field}";
    }

    /// <summary>A single-channel driver's channel must be one of the equipment profile's when it writes to the profile's measurement.</summary>
    public void Channel(string field, string channel)
    {
        var profile = EquipmentProfiles.Find(Equipment?.Profile);
        if (profile is not null && Measurement == profile.Measurement && profile.Channel(channel) is null)
            Problem(field, $"channel '{channel}' is not a channel of profile {profile.Name}");
    }
}
