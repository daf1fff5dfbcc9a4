using System.Threading.Channels;

namespace EdgeTelemetry.Sensors.Emulation;

/// <summary>
/// The receiving end of an emulated serial line: lines sent with <see cref="Send"/> are read, in order, like a port's
/// stream; a read waits until a line arrives (as on a real port) and returns null once <see cref="Hangup"/> was called (or it is disposed).
/// </summary>
public sealed class EmulatedSerialPort : TextReader
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The instrument sends one line.</summary>
    public void Send(string line) => _lines.Writer.TryWrite(line);

    /// <summary>The instrument goes away: pending lines are still read, then the stream ends.</summary>
    public void Hangup() => _lines.Writer.TryComplete();

    /// <inheritdoc />
    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (await _lines.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_lines.Reader.TryRead(out var line)) return line;
        }
        return null;
    }

    /// <inheritdoc />
    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    /// <inheritdoc />
    public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Hangup();
        base.Dispose(disposing);
    }
}
