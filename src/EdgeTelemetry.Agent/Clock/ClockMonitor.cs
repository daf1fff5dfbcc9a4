using System.Diagnostics;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Clock;

public sealed class ClockOptions
{
    /// <summary>Wall-clock times before this are not trusted (a Pi without RTC boots into the past).</summary>
    public DateTimeOffset EarliestTrusted { get; set; } = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>A wall-clock step larger than this between two observations (against monotonic time) is a jump.</summary>
    public double JumpThresholdSeconds { get; set; } = 2;
    /// <summary>If set, the clock is trusted only while this file exists (systemd-timesyncd: /run/systemd/timesync/synchronized).</summary>
    public string? NtpSyncFile { get; set; }
}

/// <summary>
/// Decides whether the wall clock can be trusted and stamps every sample with boot id and monotonic
/// time, so samples taken while it could not be trusted are re-dated once it can. Everything that
/// reads time comes in through the constructor, so tests drive it with their own clocks.
/// </summary>
public sealed class ClockMonitor
{
    private readonly TimeProvider _wall;
    private readonly Func<long> _monotonicNs;
    private readonly Func<bool> _ntpSynchronised;
    private readonly ClockOptions _options;
    private readonly Lock _lock = new();
    private long? _lastOffsetNs;

    public ClockMonitor(TimeProvider wall, Func<long> monotonicNs, Func<bool> ntpSynchronised, string bootId, ClockOptions options)
    {
        _wall = wall;
        _monotonicNs = monotonicNs;
        _ntpSynchronised = ntpSynchronised;
        BootId = bootId;
        _options = options;
    }

    /// <summary>The production clock: system time, Stopwatch, /proc boot id and the optional NTP flag file.</summary>
    public static ClockMonitor ForSystem(ClockOptions options) => new(
        TimeProvider.System,
        () => (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency)),
        () => options.NtpSyncFile is null || File.Exists(options.NtpSyncFile),
        ReadBootId(),
        options);

    public string BootId { get; }
    public bool Trusted { get; private set; } = true;
    public long Jumps { get; private set; }

    /// <summary>Wall minus monotonic, in ns, at the last observation.</summary>
    public long OffsetNs => _lastOffsetNs ?? 0;

    public sealed record Observation(bool Trusted, bool BecameTrusted, bool Jumped, long OffsetNs, long WallNs, long MonotonicNs);

    /// <summary>Looks at the clocks; call it regularly (and before stamping samples).</summary>
    public Observation Observe()
    {
        lock (_lock)
        {
            var wall = _wall.GetUtcNow();
            var mono = _monotonicNs();
            var offset = Time.ToUnixNanoseconds(wall) - mono;
            var jumped = _lastOffsetNs is { } last && Math.Abs(offset - last) > _options.JumpThresholdSeconds * 1e9;
            if (jumped) Jumps++;
            _lastOffsetNs = offset;
            var trusted = wall >= _options.EarliestTrusted && _ntpSynchronised();
            var became = trusted && !Trusted;
            Trusted = trusted;
            return new Observation(trusted, became, jumped, offset, Time.ToUnixNanoseconds(wall), mono);
        }
    }

    /// <summary>The timestamp and clock stamp for a sample taken now.</summary>
    public (long TimestampNs, ClockStamp Stamp) Stamp()
    {
        var o = Observe();
        return (o.WallNs, new ClockStamp(BootId, o.MonotonicNs, o.Trusted));
    }

    private static string ReadBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (IOException) { return "unknown-" + Environment.ProcessId; }
        catch (UnauthorizedAccessException) { return "unknown-" + Environment.ProcessId; }
    }
}
