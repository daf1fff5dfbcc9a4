namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// Bounds the payload bytes the pipeline holds between receipt and acknowledgement. The MQTT
/// receive handler waits here; the broker should then keep the rest queued for the session, within the
/// Receive Maximum — Mosquitto 2.0.11 overshoots it and MQTTnet queues what arrives (docs/benchmarks.md §6). One message larger than the
/// whole budget is still let through when nothing else is held, so it cannot wedge ingest.
/// </summary>
public sealed class InFlightBudget(long maxBytes)
{
    private readonly Lock _lock = new();
    private long _bytes;
    private int _messages;
    private TaskCompletionSource? _released;

    public long Bytes { get { lock (_lock) return _bytes; } }
    public int Messages { get { lock (_lock) return _messages; } }
    public long MaxBytes => maxBytes;

    public async ValueTask AcquireAsync(long bytes, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_messages == 0 || _bytes + bytes <= maxBytes)
                {
                    _bytes += bytes;
                    _messages++;
                    return;
                }
                _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _released.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> for a message and hands it on; when handing on fails (stopping, out of
    /// memory copying the payload), gives them back: bytes held for a message nobody holds would shrink the
    /// budget for good, and enough of them would stall ingest.
    /// </summary>
    public async Task AdmitAsync(long bytes, Func<CancellationToken, ValueTask> handOn, CancellationToken ct)
    {
        await AcquireAsync(bytes, ct);
        try
        {
            await handOn(ct);
        }
        catch
        {
            Release(bytes);
            throw;
        }
    }

    public void Release(long bytes)
    {
        TaskCompletionSource? released;
        lock (_lock)
        {
            _bytes -= bytes;
            _messages--;
            released = _released;
            _released = null;
        }
        released?.TrySetResult();
    }
}
