namespace EdgeTelemetry.Central.Ingest;

/// <summary>A received MQTT message whose acknowledgement waits until its points are stored.</summary>
public sealed record InboundMessage(string Topic, byte[] Payload, DateTimeOffset ReceivedAt, Func<CancellationToken, Task> AcknowledgeAsync);
