using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTelemetry.Central.Ingest;
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

    /// <summary>Writes beside the file and renames over it, so a reader never sees half a registry.</summary>
    public static void Save(string path, IEnumerable<EnrolledDevice> devices)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(tmp, options))
            JsonSerializer.Serialize(stream, new RegistryFile { Devices = devices.OrderBy(d => d.Name, StringComparer.Ordinal).ToList() }, Json);
        // Keep the owner of an existing registry (root running enroll must not take it from the service user).
        if (File.Exists(path) && !OperatingSystem.IsWindows()) CopyOwner(path, tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>coreutils' chown --reference: .NET has no API for a file's owner.</summary>
    private static void CopyOwner(string from, string to)
    {
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown", ["--reference", from, to]) { RedirectStandardError = true });
            p?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception) { } // no chown: nothing to keep
    }

    private sealed class RegistryFile
    {
        public List<EnrolledDevice>? Devices { get; set; }
    }
}
