using System.Buffers.Binary;
using System.Text;

namespace EdgeTelemetry.Agent.Buffer.Log;

/// <summary>What the log holds: samples (wire v2), the dictionary they name, a clock correction.</summary>
internal enum RecordType : byte { Samples = 1, Dictionary = 2, ClockCorrection = 3 }

/// <summary>A sample's clock as the buffer keeps it: trusted (most), or one of the states of <see cref="ClockState"/>.</summary>
internal readonly record struct SampleClock(int Index, ClockState State, long MonotonicNs);

/// <summary>The fixed part of a samples record, readable without decoding its payload.</summary>
internal readonly record struct SamplesHeader(SampleKind Kind, long FirstSeq, int Count, long MinT, long MaxT, string? Boot, SampleClock[] Clocks, int PayloadOffset);

/// <summary>A clock correction: untrusted samples up to <see cref="UpToSeq"/> of <see cref="Boot"/> get t = mono + offset; others become uncertain.</summary>
internal readonly record struct ClockCorrection(long UpToSeq, long OffsetNs, string Boot);

/// <summary>
/// Record bodies (little-endian). Samples: type, kind, first seq (i64), count (i32), min and max t (i64),
/// clock entries (u16 count, the boot id, then index (i32), state (u8), monotonic ns (i64) each), then the
/// samples as a wire v2 payload — the bytes the publisher's encoding makes, against the buffer's own dictionary.
/// Seqs in one record are consecutive.
/// </summary>
internal static class BufferRecords
{
    public static byte[] Samples(SampleKind kind, long firstSeq, int count, long minT, long maxT, string? boot, IReadOnlyList<SampleClock> clocks, ReadOnlySpan<byte> payload)
    {
        var bootBytes = Encoding.UTF8.GetBytes(boot ?? "");
        var size = 2 + 8 + 4 + 16 + 2 + (clocks.Count > 0 ? 2 + bootBytes.Length + clocks.Count * 13 : 0) + payload.Length;
        var body = new byte[size];
        var s = body.AsSpan();
        s[0] = (byte)RecordType.Samples;
        s[1] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(s[2..], firstSeq);
        BinaryPrimitives.WriteInt32LittleEndian(s[10..], count);
        BinaryPrimitives.WriteInt64LittleEndian(s[14..], minT);
        BinaryPrimitives.WriteInt64LittleEndian(s[22..], maxT);
        BinaryPrimitives.WriteUInt16LittleEndian(s[30..], checked((ushort)clocks.Count));
        var at = 32;
        if (clocks.Count > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s[at..], checked((ushort)bootBytes.Length));
            bootBytes.CopyTo(s[(at + 2)..]);
            at += 2 + bootBytes.Length;
            foreach (var c in clocks)
            {
                BinaryPrimitives.WriteInt32LittleEndian(s[at..], c.Index);
                s[at + 4] = (byte)c.State;
                BinaryPrimitives.WriteInt64LittleEndian(s[(at + 5)..], c.MonotonicNs);
                at += 13;
            }
        }
        payload.CopyTo(s[at..]);
        return body;
    }

    public static SamplesHeader ReadSamples(ReadOnlySpan<byte> body)
    {
        var kind = (SampleKind)body[1];
        var first = BinaryPrimitives.ReadInt64LittleEndian(body[2..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[10..]);
        var minT = BinaryPrimitives.ReadInt64LittleEndian(body[14..]);
        var maxT = BinaryPrimitives.ReadInt64LittleEndian(body[22..]);
        var n = BinaryPrimitives.ReadUInt16LittleEndian(body[30..]);
        var at = 32;
        string? boot = null;
        var clocks = n == 0 ? [] : new SampleClock[n];
        if (n > 0)
        {
            var len = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
            boot = Encoding.UTF8.GetString(body.Slice(at + 2, len));
            at += 2 + len;
            for (var i = 0; i < n; i++, at += 13)
                clocks[i] = new SampleClock(BinaryPrimitives.ReadInt32LittleEndian(body[at..]), (ClockState)body[at + 4], BinaryPrimitives.ReadInt64LittleEndian(body[(at + 5)..]));
        }
        return new SamplesHeader(kind, first, count, minT, maxT, boot, clocks, at);
    }

    public static byte[] Dictionary(ReadOnlySpan<byte> dictionary)
    {
        var body = new byte[1 + dictionary.Length];
        body[0] = (byte)RecordType.Dictionary;
        dictionary.CopyTo(body.AsSpan(1));
        return body;
    }

    public static byte[] Correction(ClockCorrection c)
    {
        var boot = Encoding.UTF8.GetBytes(c.Boot);
        var body = new byte[1 + 16 + boot.Length];
        body[0] = (byte)RecordType.ClockCorrection;
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(1), c.UpToSeq);
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(9), c.OffsetNs);
        boot.CopyTo(body.AsSpan(17));
        return body;
    }

    public static ClockCorrection ReadCorrection(ReadOnlySpan<byte> body) =>
        new(BinaryPrimitives.ReadInt64LittleEndian(body[1..]), BinaryPrimitives.ReadInt64LittleEndian(body[9..]), Encoding.UTF8.GetString(body[17..]));
}
