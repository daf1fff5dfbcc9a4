namespace EdgeTelemetry.Central.Ingest;

/// <summary>A received MQTT message whose acknowledgement waits until its points are stored.</summary>
/// <param name="Signature">The device's batch signature from the MQTT v5 user properties sig/kid, if any.</param>
public sealed record InboundMessage(string Topic, byte[] Payload, DateTimeOffset ReceivedAt, Func<CancellationToken, Task> AcknowledgeAsync,
    EdgeTelemetry.Wire.BatchSignatureProperties? Signature = null);
