using System.Security.Cryptography;
using System.Text;

namespace EdgeTelemetry.Agent.LocalPage;

/// <summary>
/// Checks the acknowledge PIN. A 4-digit PIN falls to guessing quickly, so after a few wrong tries
/// acknowledging is refused for a while (for everyone: the page has no accounts).
/// </summary>
public sealed class AcknowledgePinGuard(string? pin, TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(1);
    private readonly byte[]? _pin = pin is null ? null : Encoding.UTF8.GetBytes(pin);
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset _lockedUntil;

    public enum Outcome { Accepted, Wrong, LockedOut }

    public bool Required => _pin is not null;

    public Outcome Check(string? attempt)
    {
        if (_pin is null) return Outcome.Accepted;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (now < _lockedUntil) return Outcome.LockedOut;
            if (CryptographicOperations.FixedTimeEquals(_pin, Encoding.UTF8.GetBytes(attempt ?? "")))
            {
                _failures = 0;
                return Outcome.Accepted;
            }
            if (++_failures >= MaxFailures)
            {
                _failures = 0;
                _lockedUntil = now + Lockout;
            }
            return Outcome.Wrong;
        }
    }
}
