using System.Buffers;
using System.Text;

namespace EdgeTelemetry.LineProtocol;

/// <summary>
/// Line protocol as UTF-8 in a growable buffer rented from <see cref="ArrayPool{T}"/>: the central
/// service formats each message's points straight into one and hands the bytes to the HTTP request,
/// with no intermediate string (a 200-sample message's lines as a string would be ~120 KB, on the
/// large object heap). Dispose returns the buffer; a buffer never disposed is simply collected.
/// </summary>
public sealed class LineBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    public LineBuffer(int initialCapacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, initialCapacity));

    public int Length => _length;
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length) throw new InvalidOperationException("advanced past the end of the buffer");
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) { Ensure(sizeHint); return _buffer.AsMemory(_length); }

    public Span<byte> GetSpan(int sizeHint = 0) { Ensure(sizeHint); return _buffer.AsSpan(_length); }

    public void Write(byte b) { Ensure(1); _buffer[_length++] = b; }

    public void Write(ReadOnlySpan<byte> bytes) { Ensure(bytes.Length); bytes.CopyTo(_buffer.AsSpan(_length)); _length += bytes.Length; }

    /// <summary>Cuts the buffer back to <paramref name="length"/> bytes (drops a point that failed half-way).</summary>
    public void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    public void Clear() => _length = 0;

    public override string ToString() => Encoding.UTF8.GetString(WrittenSpan);

    private void Ensure(int sizeHint)
    {
        var need = _length + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        _length = 0;
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
