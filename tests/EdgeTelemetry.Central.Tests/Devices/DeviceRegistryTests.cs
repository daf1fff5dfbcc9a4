using System.Security.Cryptography;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeTelemetry.Central.Tests.Devices;

/// <summary>The registry's key history (enrol, rotate, revoke) and its re-reading by a running instance.</summary>
public sealed class DeviceRegistryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private string Registry => _dir.File("devices.json");

    public void Dispose() => _dir.Dispose();

    private static DeviceKeyRecord NewKey(DateTimeOffset at)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return DeviceKeyChanges.ParseKey(EcKeyPem.PublicPem(key), at, "test");
    }

    [Fact]
    public void Rotation_makes_the_new_key_current_and_keeps_the_old_one_retired_with_its_time_and_revocation_keeps_the_history()
    {
        var a = NewKey(T0);
        var b = NewKey(T0.AddDays(1));
        var devices = DeviceKeyChanges.Enrol([], "s", "d", a, T0);
        devices = DeviceKeyChanges.Rotate(devices, "s", "d", b, T0.AddDays(1));
        DeviceRegistry.Save(Registry, devices);

        var entry = Assert.Single(DeviceRegistry.Load(Registry));
        Assert.Equal([a.Fingerprint, b.Fingerprint], entry.Keys.Select(k => k.Fingerprint));
        Assert.Equal(T0.AddDays(1), entry.Keys[0].RetiredAt);
        Assert.Equal(b.Fingerprint, entry.CurrentKey!.Fingerprint);
        Assert.Equal(b.PublicKey, entry.PublicKey); // the older field names the current key
        Assert.Throws<InvalidOperationException>(() => DeviceKeyChanges.Rotate(devices, "s", "d", a with { AddedAt = T0.AddDays(2) }, T0.AddDays(2)));

        var revoked = Assert.Single(DeviceKeyChanges.Revoke(devices, "s", "d", T0.AddDays(3)));
        Assert.Equal(T0.AddDays(3), revoked.RevokedAt);
        Assert.All(revoked.Keys, k => Assert.Equal("revoked", k.State));
        Assert.Null(revoked.CurrentKey);
    }

    [Fact]
    public void A_registry_written_before_key_history_gets_its_public_key_as_the_first_key_and_one_that_does_not_parse_is_refused()
    {
        var a = NewKey(T0);
        File.WriteAllText(Registry, $$"""{"Devices":[{"Site":"s","Device":"d","EnrolledAt":"2026-12-01T00:00:00Z","PublicKey":{{System.Text.Json.JsonSerializer.Serialize(a.PublicKey)}}}]}""");
        Assert.Equal(a.Fingerprint, Assert.Single(DeviceRegistry.Load(Registry)).CurrentKey!.Fingerprint);

        File.WriteAllText(Registry, """{"Devices":[{"Site":"s","Device":"d","EnrolledAt":"2026-12-01T00:00:00Z","PublicKey":"ssh-ed25519 AAAA"}]}""");
        Assert.Contains("not an ECDSA P-256 key PEM", Assert.Throws<InvalidOperationException>(() => DeviceRegistry.Load(Registry)).Message);
    }

    [Fact]
    public void A_running_keyring_sees_a_change_to_the_file_once_its_reload_interval_has_passed_and_keeps_the_last_good_one_on_a_bad_file()
    {
        var clock = new FakeTimeProvider(T0);
        DeviceRegistry.Save(Registry, DeviceKeyChanges.Enrol([], "s", "d1", NewKey(T0), T0));
        var keyring = new DeviceKeyring(Registry, TimeSpan.FromSeconds(2), clock, NullLogger.Instance);
        Assert.NotNull(keyring.Find("s", "d1"));

        DeviceRegistry.Save(Registry, DeviceKeyChanges.Enrol(DeviceRegistry.Load(Registry), "s", "d2", NewKey(T0), T0));
        Assert.Null(keyring.Find("s", "d2")); // not looked at again yet: at most one stat per interval
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull(keyring.Find("s", "d2"));

        File.WriteAllText(Registry, "{ half a file");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull(keyring.Find("s", "d2"));
    }
}
