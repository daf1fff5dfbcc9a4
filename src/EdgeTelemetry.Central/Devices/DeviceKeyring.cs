using System.Security.Cryptography;
using EdgeTelemetry.Security;

namespace EdgeTelemetry.Central.Devices;

/// <summary>A device's keys as ingest needs them: by key id, each with its own lock (one ECDsa handle is not documented as safe to share).</summary>
public sealed class DeviceTrust(EnrolledDevice entry, IReadOnlyDictionary<string, TrustedKey> keys)
{
    public EnrolledDevice Entry { get; } = entry;
    public IReadOnlyDictionary<string, TrustedKey> Keys { get; } = keys;
    public bool Revoked => Entry.RevokedAt is not null;
    /// <summary>A key that may still verify (current or retired): the device must sign. Only revoked keys (re-enrolled without a new one): it has none.</summary>
    public bool HasUsableKey { get; } = keys.Values.Any(k => k.Record.RevokedAt is null);
}

public sealed class TrustedKey(DeviceKeyRecord record, ECDsa key)
{
    public DeviceKeyRecord Record { get; } = record;
    private readonly Lock _use = new();

    public bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        lock (_use) return Wire.BatchSignature.Verify(key, digest, signature);
    }
}

/// <summary>
/// The device registry as every central instance sees it while running: the file (Ingest:DevicesFile) is re-read when
/// its modification time or size changes, checked at most every Ingest:DevicesFileReloadSeconds on the ingest path
/// itself — so an enrolment, rotation or revocation made by another instance (or the CLI) takes effect within seconds,
/// without a restart and without a timer of its own. A file that does not parse keeps the previous view (logged).
/// </summary>
public sealed class DeviceKeyring
{
    private readonly string? _path;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _reload = new();
    private volatile Snapshot _current = Snapshot.Empty;
    private long _checkedAt = long.MinValue;

    private sealed record Snapshot(DateTime WrittenAt, long Length, IReadOnlyDictionary<(string, string), DeviceTrust> Devices)
    {
        public static readonly Snapshot Empty = new(DateTime.MinValue, -1, new Dictionary<(string, string), DeviceTrust>());
    }

    public DeviceKeyring(string? path, TimeSpan interval, TimeProvider clock, ILogger logger)
    {
        _path = string.IsNullOrWhiteSpace(path) ? null : path;
        _interval = interval;
        _clock = clock;
        _logger = logger;
        Refresh(force: true);
    }

    /// <summary>A keyring with no registry behind it: every device unenrolled.</summary>
    public static DeviceKeyring None { get; } = new(null, TimeSpan.MaxValue, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>The device's entry, null when it was never enrolled.</summary>
    public DeviceTrust? Find(string site, string device)
    {
        Refresh(force: false);
        return _current.Devices.GetValueOrDefault((site, device));
    }

    /// <summary>Re-reads the file if it changed (at most once per interval unless forced).</summary>
    public void Refresh(bool force)
    {
        if (_path is null) return;
        var now = _clock.GetTimestamp();
        var last = Interlocked.Read(ref _checkedAt);
        if (!force && last != long.MinValue && _clock.GetElapsedTime(last, now) < _interval) return;
        if (!force && Interlocked.CompareExchange(ref _checkedAt, now, last) != last) return; // another thread checks
        if (force) Interlocked.Exchange(ref _checkedAt, now);
        lock (_reload)
        {
            var info = new FileInfo(_path);
            var (writtenAt, length) = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
            var current = _current;
            if (!force && writtenAt == current.WrittenAt && length == current.Length) return;
            try
            {
                _current = new Snapshot(writtenAt, length, Build(DeviceRegistry.Load(_path)));
                if (!force || current != Snapshot.Empty)
                    _logger.LogInformation("Device registry {Path} read: {Devices} devices, {Keys} keys", _path, _current.Devices.Count, _current.Devices.Values.Sum(d => d.Keys.Count));
            }
            catch (InvalidOperationException ex)
            {
                _logger.LogError("Device registry not re-read, the previous one stays in force: {Error}", ex.Message);
                if (force && current == Snapshot.Empty) throw;
            }
        }
    }

    private static Dictionary<(string, string), DeviceTrust> Build(List<EnrolledDevice> devices)
    {
        var byDevice = new Dictionary<(string, string), DeviceTrust>();
        foreach (var d in devices)
        {
            var keys = new Dictionary<string, TrustedKey>(StringComparer.Ordinal);
            foreach (var k in d.Keys)
                keys[k.KeyId] = new TrustedKey(k, EcKeyPem.Parse(k.PublicKey, needPrivate: false, d.Name));
            byDevice[(d.Site, d.Device)] = new DeviceTrust(d, keys);
        }
        return byDevice;
    }
}
