using System.Security.Cryptography;
using EdgeTelemetry.Security;

namespace EdgeTelemetry.Central.Devices;

/// <summary>
/// Enrol, rotate, revoke: the registry's key changes, one rule set for the CLI and the admin API. Each returns the new
/// device list (nothing is written here) or throws <see cref="InvalidOperationException"/> saying why not.
/// </summary>
public static class DeviceKeyChanges
{
    /// <summary>A public key from PEM text, as SubjectPublicKeyInfo PEM (a private key PEM is accepted and only its public half kept).</summary>
    public static DeviceKeyRecord ParseKey(string pem, DateTimeOffset now, string source)
    {
        using var key = EcKeyPem.Parse(pem, needPrivate: false, source);
        return new DeviceKeyRecord(KeyFingerprint.Of(key), EcKeyPem.PublicPem(key), now);
    }

    /// <summary>A new device, or a revoked one enrolled again (its old keys stay revoked in its history).</summary>
    public static List<EnrolledDevice> Enrol(List<EnrolledDevice> devices, string site, string device, DeviceKeyRecord? key, DateTimeOffset now)
    {
        var existing = devices.FirstOrDefault(d => d.Site == site && d.Device == device);
        if (existing is { RevokedAt: null }) throw new InvalidOperationException($"{site}/{device} is already enrolled (rotate its key, or revoke it first)");
        if (key is not null && existing is not null && existing.Keys.Any(k => k.Fingerprint == key.Fingerprint))
            throw new InvalidOperationException($"key {key.Fingerprint} was {site}/{device}'s before it was revoked: create a new key (edgetelemetry-agent keygen --force)");
        var entry = new EnrolledDevice(site, device, now) { Keys = [.. existing?.Keys ?? [], .. key is null ? Array.Empty<DeviceKeyRecord>() : [key]] };
        return [.. devices.Where(d => d != existing), entry];
    }

    /// <summary>The new key becomes current; the one it replaces is kept, retired, and still verifies what it signed.</summary>
    public static List<EnrolledDevice> Rotate(List<EnrolledDevice> devices, string site, string device, DeviceKeyRecord key, DateTimeOffset now)
    {
        var existing = devices.FirstOrDefault(d => d.Site == site && d.Device == device)
            ?? throw new InvalidOperationException($"{site}/{device} is not enrolled");
        if (existing.RevokedAt is not null) throw new InvalidOperationException($"{site}/{device} is revoked: enrol it again");
        if (existing.Keys.Any(k => k.Fingerprint == key.Fingerprint)) throw new InvalidOperationException($"{site}/{device} already has key {key.Fingerprint}");
        var keys = existing.Keys.Select(k => k.RetiredAt is null && k.RevokedAt is null ? k with { RetiredAt = now } : k).Append(key).ToList();
        return devices.Select(d => d == existing ? d with { Keys = keys } : d).ToList();
    }

    /// <summary>The device and every key it had are refused from now on; the history stays.</summary>
    public static List<EnrolledDevice> Revoke(List<EnrolledDevice> devices, string site, string device, DateTimeOffset now)
    {
        var existing = devices.FirstOrDefault(d => d.Site == site && d.Device == device)
            ?? throw new InvalidOperationException($"{site}/{device} is not enrolled");
        var keys = existing.Keys.Select(k => k.RevokedAt is null ? k with { RevokedAt = now } : k).ToList();
        return devices.Select(d => d == existing ? d with { Keys = keys, RevokedAt = d.RevokedAt ?? now } : d).ToList();
    }
}
