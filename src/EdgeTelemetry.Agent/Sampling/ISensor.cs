using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Sampling;

/// <summary>
/// One instrument (or a group of channels read together) on one piece of equipment. Every source —
/// simulated or a real driver — is sampled through this, so the path to the buffer is the same.
/// </summary>
public interface ISensor
{
    string Measurement { get; }
    string Equipment { get; }
    TimeSpan Interval { get; }

    /// <summary>Reads the current calibrated values. An empty list means "no valid reading now" (fault, self-check).</summary>
    ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct);
}
