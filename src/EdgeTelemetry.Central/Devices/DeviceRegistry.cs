using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Devices;

/// <summary>An enrolled device. <see cref="PublicKey"/> stays empty until devices sign their batches.</summary>
public sealed record EnrolledDevice(string Site, string Device, DateTimeOffset EnrolledAt, string? PublicKey = null)
{
    /// <summary>The broker user name, and the entry in Ingest:KnownDevices.</summary>
    [JsonIgnore] public string Name => $"{Site}/{Device}";
}

/// <summary>
/// <c>Ingest:DevicesFile</c>: the enrolled devices, <c>{"Devices":[{"Site","Device","EnrolledAt","PublicKey"}]}</c>,
/// written by <c>devices enroll/revoke</c> (mode 0600, owned by the service user) and read by the central service at
/// start for Ingest:KnownDevicesOnly — the same precedent as Api:KeysFile.
/// </summary>
public static class DeviceRegistry
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>Adds the registry's devices to <see cref="IngestOptions.KnownDevices"/>; a missing file is an empty registry.</summary>
    public static void Apply(IngestOptions options, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return;
        foreach (var d in Load(path)) if (!options.KnownDevices.Contains(d.Name)) options.KnownDevices.Add(d.Name);
    }

    public static List<EnrolledDevice> Load(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<RegistryFile>(stream, Json) ?? throw new InvalidOperationException("empty");
            var devices = file.Devices ?? throw new InvalidOperationException("no \"Devices\" list");
            foreach (var d in devices)
                if (!Topics.IsValidId(d.Site) || !Topics.IsValidId(d.Device)) throw new InvalidOperationException($"'{d.Site}/{d.Device}' is not <site>/<device>");
            return devices;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Ingest:DevicesFile {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Owner-only (0600), written beside the file and renamed over it, so a reader never sees half a registry.</summary>
    public static void Save(string path, IEnumerable<EnrolledDevice> devices) =>
        OwnerOnlyFile.Write(path, stream => JsonSerializer.Serialize(stream, new RegistryFile { Devices = devices.OrderBy(d => d.Name, StringComparer.Ordinal).ToList() }, Json));

    private sealed class RegistryFile
    {
        public List<EnrolledDevice>? Devices { get; set; }
    }
}
