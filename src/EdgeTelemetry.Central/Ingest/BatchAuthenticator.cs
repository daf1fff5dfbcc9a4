using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Decides whether a batch may be stored as its device's, from its signature (MQTT user properties sig/kid), the
/// device's enrolled keys and the site's mode (docs/wire-protocol.md, "Signed batches"):
/// - revoked device: refused (invalid_signature), whatever it carries;
/// - device with an unrevoked key: the signature must verify with one of them, current or retired (invalid_signature),
///   and an unsigned batch is refused (unsigned_batch);
/// - device without keys: stored unsigned where the site is permissive (a signature it carries cannot be checked and
///   is ignored), refused (unsigned_batch) where the site requires signatures.
/// </summary>
public sealed class BatchAuthenticator(DeviceKeyring keyring, SignatureOptions options)
{
    public readonly record struct Outcome(bool Verified, Rejection? Rejection);

    private static readonly Outcome Unsigned = new(false, null);
    private static readonly Outcome Verified = new(true, null);

    /// <summary>Whether a batch of this device would be stored only with a valid signature (the hot path then marks it signed and checks after).</summary>
    public bool ExpectsSignature(string site, string device) => keyring.Find(site, device) is { HasUsableKey: true, Revoked: false };

    public Outcome Check(string site, string device, string stream, long firstSeq, long lastSeq, ReadOnlySpan<byte> payload, BatchSignatureProperties signature)
    {
        var trust = keyring.Find(site, device);
        if (trust is { Revoked: true })
            return Refuse(RejectReason.InvalidSignature, $"{site}/{device} was revoked at {trust.Entry.RevokedAt:O}");
        if (trust is not { HasUsableKey: true })
            return !options.IsRequired(site) ? Unsigned
                : Refuse(RejectReason.UnsignedBatch, $"{site}/{device} has no key enrolled and site {site} requires signed batches (Ingest:Signatures)");
        if (signature.Signature is null)
            return Refuse(RejectReason.UnsignedBatch, $"{site}/{device} has key {trust.Entry.CurrentKey?.KeyId ?? "(none current)"} enrolled but the batch is not signed");
        if (signature.KeyId is null || !trust.Keys.TryGetValue(signature.KeyId, out var key))
            return Refuse(RejectReason.InvalidSignature, $"signed with key '{Printable(signature.KeyId)}', which is not one enrolled for {site}/{device}");
        if (key.Record.RevokedAt is { } revoked)
            return Refuse(RejectReason.InvalidSignature, $"key {key.Record.KeyId} of {site}/{device} was revoked at {revoked:O}");
        var bytes = new byte[(signature.Signature.Length + 3) / 4 * 3];
        if (!Convert.TryFromBase64String(signature.Signature, bytes, out var length))
            return Refuse(RejectReason.InvalidSignature, "the sig property is not base64");
        var digest = BatchSignature.Digest(site, device, stream, firstSeq, lastSeq, payload);
        return key.Verify(digest, bytes.AsSpan(0, length)) ? Verified
            : Refuse(RejectReason.InvalidSignature, $"the signature does not verify with {site}/{device}'s key {key.Record.KeyId} ({key.Record.State}) over stream {stream} seq {firstSeq}-{lastSeq}");
    }

    private static Outcome Refuse(RejectReason reason, string detail) => new(false, new Rejection(reason, detail));

    private static string Printable(string? s) => s is null ? "(none)" : s.Length > 32 ? s[..32] + "…" : Storage.DeadLetterPoints.Printable(s);
}
