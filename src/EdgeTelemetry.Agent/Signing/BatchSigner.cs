using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Wire;
using MQTTnet;

namespace EdgeTelemetry.Agent.Signing;

/// <summary>
/// Adds the device's signature to each batch it publishes, as MQTT v5 user properties (<c>sig</c>, <c>kid</c>), so
/// the payload bytes stay exactly what v1 JSON or wire v2 defines. Without a key (Signing:Enabled false) it adds nothing.
/// </summary>
public sealed class BatchSigner(DeviceKey? key) : IDisposable
{
    public DeviceKey? Key { get; } = key;

    public static BatchSigner Create(AgentOptions options, ILogger<BatchSigner> logger)
    {
        if (!options.Signing.Enabled)
        {
            logger.LogWarning("Signing:Enabled is false: batches go unsigned, and a central service that has this device's key enrolled refuses them");
            return new BatchSigner(null);
        }
        var path = options.Signing.KeyPath(options.Buffer);
        var key = DeviceKey.LoadOrCreate(path, logger);
        logger.LogInformation("Signing batches with device key {KeyId} ({Path})", key.KeyId, path);
        return new BatchSigner(key);
    }

    /// <param name="seqs">The sequence numbers of the batch's samples (the header names their smallest and largest).</param>
    public void Sign(MqttApplicationMessageBuilder message, string site, string device, string stream, IEnumerable<long> seqs, byte[] payload)
    {
        if (Key is null) return;
        var (first, last) = BatchSignature.SeqRange(seqs);
        var signature = Key.SignBatch(site, device, stream, first, last, payload);
        message.WithUserProperty(BatchSignature.SignatureProperty, System.Text.Encoding.ASCII.GetBytes(signature))
               .WithUserProperty(BatchSignature.KeyIdProperty, System.Text.Encoding.ASCII.GetBytes(Key.KeyId));
    }

    public void Dispose() => Key?.Dispose();
}
