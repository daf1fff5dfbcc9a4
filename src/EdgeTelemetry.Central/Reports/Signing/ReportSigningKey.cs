using EdgeTelemetry.Security;
using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>
/// The central service's report signing key (ECDSA P-256), loaded from <see cref="ReportSigningOptions.SigningKeyFile"/>
/// or created there on first start. Signs the exact bytes a report is served as.
/// </summary>
public sealed class ReportSigningKey : IDisposable
{
    private readonly ECDsa _key;
    private readonly Lock _sign = new(); // one ECDsa handle; concurrent use of it is not documented as safe

    private ReportSigningKey(ECDsa key)
    {
        _key = key;
        Fingerprint = KeyFingerprint.Of(key);
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    public string Fingerprint { get; }

    /// <summary>SubjectPublicKeyInfo PEM ("PUBLIC KEY"), what <c>verify-report --key</c> and openssl take.</summary>
    public string PublicKeyPem { get; }

    public ReportSignature Sign(ReadOnlySpan<byte> content)
    {
        byte[] signature;
        lock (_sign) signature = _key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new ReportSignature(Fingerprint, signature);
    }

    public void Dispose() => _key.Dispose();

    /// <summary>A fresh key that is not written anywhere (tests, and a service without Reports:SigningKeyFile).</summary>
    public static ReportSigningKey CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static ReportSigningKey LoadOrCreate(IOptions<ReportSigningOptions> options, ILogger<ReportSigningKey> logger)
    {
        var path = options.Value.SigningKeyFile;
        if (string.IsNullOrWhiteSpace(path))
        {
            var ephemeral = CreateEphemeral();
            logger.LogWarning("Reports:SigningKeyFile is not set: reports are signed with key {Fingerprint}, which ends with this process; set it so signed reports stay verifiable", ephemeral.Fingerprint);
            return ephemeral;
        }
        if (!File.Exists(path))
        {
            var created = CreateEphemeral();
            var pem = Encoding.ASCII.GetBytes(created._key.ExportPkcs8PrivateKeyPem() + "\n");
            bool written;
            try
            {
                written = OwnerOnlyFile.TryCreate(path, s => s.Write(pem));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                created.Dispose();
                throw new InvalidOperationException($"Reports:SigningKeyFile {path}: cannot create the key there: {ex.Message}", ex);
            }
            if (written)
            {
                logger.LogInformation("Created report signing key {Fingerprint} in {Path} (back it up: docs/operations.md)", created.Fingerprint, path);
                return created;
            }
            created.Dispose(); // another instance created it first: sign with that one
        }
        ReportSigningKey key;
        try
        {
            key = Load(path);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"Reports:SigningKeyFile {ex.Message}", ex);
        }
        logger.LogInformation("Report signing key {Fingerprint} from {Path}", key.Fingerprint, path);
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            logger.LogWarning("Report signing key {Path} is readable by others than its owner: chmod 0600 it", path);
        return key;
    }

    /// <summary>Reads a private key PEM (PKCS#8, or SEC1 "EC PRIVATE KEY" as openssl writes it); it must be P-256.</summary>
    public static ReportSigningKey Load(string path)
    {
        var key = EcKeyPem.Read(path, needPrivate: true);
        return new ReportSigningKey(key);
    }
}
