using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Alarms.Outputs;

/// <summary>
/// Drives the configured relays from the <see cref="Annunciator"/> and turns button presses into
/// acknowledgements. Nothing here depends on the broker: an alarm sounds with the link down.
/// Started before sampling, so the relays are set up before the first alarm can be raised.
/// </summary>
public sealed class AlarmOutputService(
    AgentOptions options, ISensorHardware hardware, Annunciator annunciator, TimeProvider time, ILogger<AlarmOutputService> logger) : IHostedService, IDisposable
{
    private readonly List<RelayOutput> _outputs = [];
    private readonly Lock _lock = new();
    private AcknowledgeButton? _button;

    public IReadOnlyList<RelayOutput> Outputs => _outputs;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.AlarmOutputs;
        // No outputs, no GPIO: an agent without relays must start on a machine with no GPIO chip at all.
        if (o.Outputs.Count == 0 && o.Acknowledge?.Pin is null) return Task.CompletedTask;
        var gpio = hardware.OpenGpio();
        foreach (var output in o.Outputs) _outputs.Add(new RelayOutput(gpio, output, time));
        if (o.Acknowledge?.Pin is not null) _button = new AcknowledgeButton(gpio, o.Acknowledge, time, () => annunciator.Acknowledge(AcknowledgeSource.Button));
        annunciator.Changed += Refresh;
        Refresh();
        logger.LogInformation("Alarm outputs: {Outputs}; acknowledge button {Button}",
            string.Join(", ", _outputs.Select(x => $"{x.Name} on GPIO {x.Pin}")), _button is null ? "none" : $"on GPIO {o.Acknowledge!.Pin}");
        return Task.CompletedTask;
    }

    /// <summary>Sets every relay from the annunciator's active alarms.</summary>
    private void Refresh()
    {
        var active = annunciator.Active();
        lock (_lock)
        {
            foreach (var output in _outputs)
            {
                var on = output.WantsOn(active);
                if (on != output.Active) logger.LogInformation("Alarm output {Output} (GPIO {Pin}) {State}", output.Name, output.Pin, on ? "on" : "off");
                output.Drive(on);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        annunciator.Changed -= Refresh;
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _button?.Dispose();
            _button = null;
            foreach (var output in _outputs) output.Dispose();
            _outputs.Clear();
        }
    }
}
