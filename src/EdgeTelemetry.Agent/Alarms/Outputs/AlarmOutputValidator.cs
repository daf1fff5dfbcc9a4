using EdgeTelemetry.Agent.Configuration;

namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>
/// validate-config's checks of <c>alarmOutputs</c>: pins that are BCM pins and not used by a sensor,
/// another output, the button or an I2C bus; alarm ids that name a configured rule; known severities and modes.
/// </summary>
public static class AlarmOutputValidator
{
    // I2C bus 1 (the one sensors use by default) is on BCM 2 (SDA) and 3 (SCL).
    private static readonly int[] I2cBus1Pins = [2, 3];

    /// <param name="pins">BCM pins the sensors claimed, with who claimed them.</param>
    /// <param name="i2cBuses">I2C buses the sensors use.</param>
    public static void Validate(AgentOptions o, IDictionary<int, string> pins, IReadOnlySet<int> i2cBuses, Action<string, string> add)
    {
        var rules = Alarms.AlarmMonitor.RuleIds(o).ToList();
        void Pin(string at, int? pin, string who)
        {
            if (pin is not { } n) { add(at, "is required"); return; }
            if (n is < 0 or > 27) add(at, $"GPIO {n} is not a Raspberry Pi BCM pin (0-27)");
            else if (pins.TryGetValue(n, out var other)) add(at, $"GPIO {n} is already used by {other}");
            else if (i2cBuses.Contains(1) && I2cBus1Pins.Contains(n)) add(at, $"GPIO {n} is I2C bus 1 ({(n == 2 ? "SDA" : "SCL")}), used by the I2C sensors");
            else pins[n] = who;
        }

        var outputs = o.AlarmOutputs.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var x = outputs[i];
            var at = $"alarmOutputs:outputs:{i}";
            if (string.IsNullOrWhiteSpace(x.Name)) add($"{at}:name", "is required (e.g. buzzer, stack-light)");
            Pin($"{at}:pin", x.Pin, $"alarmOutputs.outputs[{i}] ({x.Name})");
            if (x.Mode is not ("steady" or "blink")) add($"{at}:mode", $"'{x.Mode}' must be steady or blink");
            if (x.BlinkPeriodMs < 200) add($"{at}:blinkPeriodMs", $"{x.BlinkPeriodMs} is below 200 ms (a relay would chatter)");
            for (var a = 0; a < x.Alarms.Count; a++)
                if (!AlarmOutputSelection.Names(x.Alarms[a], rules))
                    add($"{at}:alarms:{a}", $"unknown alarm '{x.Alarms[a]}' (configured: {string.Join(", ", rules.Select(r => r.Id))})");
            for (var s = 0; s < x.Severities.Count; s++)
                if (x.Severities[s] is not ("warning" or "critical")) add($"{at}:severities:{s}", $"'{x.Severities[s]}' must be warning or critical");
        }
        if (o.AlarmOutputs.Acknowledge is { } button)
        {
            Pin("alarmOutputs:acknowledge:pin", button.Pin, "alarmOutputs.acknowledge");
            if (button.DebounceMs is < 5 or > 1000) add("alarmOutputs:acknowledge:debounceMs", $"{button.DebounceMs} must be 5-1000 ms");
        }
    }
}
