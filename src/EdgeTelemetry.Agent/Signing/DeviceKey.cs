using System.Security.Cryptography;
using System.Text;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Agent.Signing;

/// <summary>
/// The device's own ECDSA P-256 key: batches are signed with it, the central service verifies them with the public
/// half enrolled for (site, device). The private key never leaves the file (0600) it was created in.
/// </summary>
public sealed class DeviceKey : IDisposable
{
    private readonly ECDsa _key;
    private readonly Lock _sign = new(); // one handle; concurrent use of an ECDsa is not documented as safe

    private DeviceKey(ECDsa key)
    {
        _key = key;
        Fingerprint = KeyFingerprint.Of(key);
        KeyId = KeyFingerprint.KeyId(Fingerprint);
        PublicKeyPem = EcKeyPem.PublicPem(key);
    }

    public string Fingerprint { get; }
    /// <summary>What a signed batch names the key by (user property <c>kid</c>).</summary>
    public string KeyId { get; }
    public string PublicKeyPem { get; }

    /// <summary>Base64 DER signature over the batch's canonical header and payload (<see cref="BatchSignature"/>).</summary>
    public string SignBatch(string site, string device, string stream, long firstSeq, long lastSeq, ReadOnlySpan<byte> payload)
    {
        var digest = BatchSignature.Digest(site, device, stream, firstSeq, lastSeq, payload);
        lock (_sign) return Convert.ToBase64String(BatchSignature.Sign(_key, digest));
    }

    public void Dispose() => _key.Dispose();

    public static DeviceKey Load(string path) => new(EcKeyPem.Read(path, needPrivate: true));

    /// <summary>The key at <paramref name="path"/>, created there (0600) when no file exists; an existing file is never replaced.</summary>
    public static DeviceKey LoadOrCreate(string path, ILogger logger)
    {
        if (!File.Exists(path) && TryCreate(path, replace: false) is { } created)
        {
            logger.LogInformation("Created device key {Fingerprint} in {Path}: enrol it on the central service (edgetelemetry-agent key show)", created.Fingerprint, path);
            return created;
        }
        var key = Load(path); // also when another process created it first
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            logger.LogWarning("Device key {Path} is readable by others than its owner: chmod 0600 it", path);
        return key;
    }

    /// <summary>A new key written to <paramref name="path"/>; null when a file is there and <paramref name="replace"/> is false.</summary>
    public static DeviceKey? TryCreate(string path, bool replace)
    {
        var key = new DeviceKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var pem = Encoding.ASCII.GetBytes(key._key.ExportPkcs8PrivateKeyPem() + "\n");
        bool written;
        if (replace)
        {
            OwnerOnlyFile.Write(path, s => s.Write(pem));
            written = true;
        }
        else written = OwnerOnlyFile.TryCreate(path, s => s.Write(pem));
        if (written) return key;
        key.Dispose();
        return null;
    }
}
