using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Devices;

/// <summary>One public key a device signed (or signs) its batches with; its history stays in the registry.</summary>
/// <param name="RetiredAt">Replaced by a newer key (rotation): still verifies what the device signed with it.</param>
/// <param name="RevokedAt">No longer trusted: batches signed with it are refused.</param>
public sealed record DeviceKeyRecord(string Fingerprint, string PublicKey, DateTimeOffset AddedAt, DateTimeOffset? RetiredAt = null, DateTimeOffset? RevokedAt = null)
{
    [JsonIgnore] public string KeyId => KeyFingerprint.KeyId(Fingerprint);
    [JsonIgnore] public string State => RevokedAt is not null ? "revoked" : RetiredAt is not null ? "retired" : "current";
}

/// <summary>An enrolled device: its broker identity and its signing keys (the newest unretired one is current).</summary>
/// <param name="PublicKey">The current key's PEM (kept for readers of the older file format; <see cref="Keys"/> holds the history).</param>
public sealed record EnrolledDevice(string Site, string Device, DateTimeOffset EnrolledAt, string? PublicKey = null)
{
    /// <summary>The broker user name, and the entry in Ingest:KnownDevices.</summary>
    [JsonIgnore] public string Name => $"{Site}/{Device}";
    public List<DeviceKeyRecord> Keys { get; init; } = [];
    /// <summary>Set by revoke: the device's batches are refused whatever they carry, its keys with it.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
    [JsonIgnore] public DeviceKeyRecord? CurrentKey => Keys.LastOrDefault(k => k.RetiredAt is null && k.RevokedAt is null);
}

/// <summary>
/// <c>Ingest:DevicesFile</c>: the enrolled devices and their key history,
/// <c>{"Devices":[{"Site","Device","EnrolledAt","PublicKey","Keys":[{"Fingerprint","PublicKey","AddedAt","RetiredAt","RevokedAt"}],"RevokedAt"}]}</c>,
/// written by <c>devices enroll/rotate/revoke</c> and the admin API (mode 0600, owned by the service user, replaced by
/// rename so a reader never sees half of it) and re-read by every instance when it changes (<see cref="DeviceKeyring"/>).
/// </summary>
public static class DeviceRegistry
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>Adds the registry's unrevoked devices to <see cref="IngestOptions.KnownDevices"/>; a missing file is an empty registry.</summary>
    public static void Apply(IngestOptions options, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return;
        foreach (var d in Load(path))
            if (d.RevokedAt is null && !options.KnownDevices.Contains(d.Name)) options.KnownDevices.Add(d.Name);
    }

    public static List<EnrolledDevice> Load(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<RegistryFile>(stream, Json) ?? throw new InvalidOperationException("empty");
            var devices = file.Devices ?? throw new InvalidOperationException("no \"Devices\" list");
            return devices.Select(Normalise).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Ingest:DevicesFile {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Checks an entry; a file from before key history (a PublicKey PEM, no Keys) gets that key as its current one.</summary>
    private static EnrolledDevice Normalise(EnrolledDevice d)
    {
        if (!Topics.IsValidId(d.Site) || !Topics.IsValidId(d.Device)) throw new InvalidOperationException($"'{d.Site}/{d.Device}' is not <site>/<device>");
        var keys = d.Keys ?? [];
        if (keys.Count == 0 && !string.IsNullOrWhiteSpace(d.PublicKey))
            keys = [new DeviceKeyRecord(FingerprintOf(d.PublicKey, d.Name), d.PublicKey, d.EnrolledAt)];
        foreach (var k in keys)
            if (FingerprintOf(k.PublicKey, d.Name) != k.Fingerprint) throw new InvalidOperationException($"{d.Name}: key {k.Fingerprint} does not match its PEM");
        return d with { Keys = keys };
    }

    /// <summary>The fingerprint of a public key PEM; throws naming <paramref name="source"/> when it is not a P-256 key.</summary>
    public static string FingerprintOf(string pem, string source)
    {
        using var key = EcKeyPem.Parse(pem, needPrivate: false, source);
        return KeyFingerprint.Of(key);
    }

    /// <summary>Owner-only (0600), written beside the file and renamed over it, so a reader never sees half a registry.</summary>
    public static void Save(string path, IEnumerable<EnrolledDevice> devices) =>
        OwnerOnlyFile.Write(path, stream => JsonSerializer.Serialize(stream, new RegistryFile
        {
            Devices = devices.Select(d => d with { PublicKey = d.CurrentKey?.PublicKey }).OrderBy(d => d.Name, StringComparer.Ordinal).ToList(),
        }, Json));

    private sealed class RegistryFile
    {
        public List<EnrolledDevice>? Devices { get; set; }
    }
}
