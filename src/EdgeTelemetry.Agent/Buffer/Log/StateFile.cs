using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;

namespace EdgeTelemetry.Agent.Buffer.Log;

/// <summary>
/// What the buffer knows beside its records: the stream id, the next seq, counters, which seqs are receipted or
/// evicted, small values the publisher keeps. Written at a bounded rate (a crash then re-sends what was receipted
/// since, never loses), and at once for what must not be forgotten (an eviction, a new stream).
/// </summary>
internal sealed class BufferState
{
    public string Stream { get; set; } = "";
    public long NextSeq { get; set; } = 1;
    public long Evicted { get; set; }
    public long Resent { get; set; }
    public long ReceiptRejected { get; set; }
    /// <summary>Receipted seqs (stored or dead-lettered centrally), as "a-b,c" ranges.</summary>
    public string Receipted { get; set; } = "";
    /// <summary>Seqs evicted over the quota: their records are gone even if a crash left their segment behind.</summary>
    public string EvictedSeqs { get; set; } = "";
    public Dictionary<string, string> Meta { get; set; } = [];
}

/// <summary>
/// The state in two fixed slots of one file, written alternately with direct page writes: a torn write can only
/// damage the slot being written, and the other still holds the previous state (the newest valid slot wins).
/// A slot: magic, generation (u64), length (u32), CRC-32 of the JSON (u32), the JSON.
/// </summary>
internal sealed class StateFile : IDisposable
{
    public const string Name = "state";
    private const uint Magic = 0x53425445; // "ETBS"
    private const int Header = 20;
    public const int SlotBytes = 64 * 1024;

    private readonly DirectFile _file;
    private readonly Memory<byte> _pages = DirectFile.AlignedPages(SlotBytes / DirectFile.Page);
    private long _generation;

    private StateFile(DirectFile file, long generation)
    {
        _file = file;
        _generation = generation;
    }

    /// <summary>The newest valid state in the file, or null when there is none.</summary>
    public static BufferState? Read(string path)
    {
        if (!File.Exists(path)) return null;
        var (state, _) = ReadNewest(File.ReadAllBytes(path));
        return state;
    }

    public static StateFile Open(string path, bool durable, out BufferState? state)
    {
        long generation = 0;
        state = null;
        if (File.Exists(path)) (state, generation) = ReadNewest(File.ReadAllBytes(path));
        return new StateFile(DirectFile.Open(path, create: true, durable), generation);
    }

    private static (BufferState?, long) ReadNewest(byte[] data)
    {
        BufferState? best = null;
        long bestGeneration = 0;
        for (var slot = 0; slot < 2; slot++)
        {
            var s = data.AsSpan(Math.Min(data.Length, slot * SlotBytes));
            if (s.Length < Header || BinaryPrimitives.ReadUInt32LittleEndian(s) != Magic) continue;
            var generation = BinaryPrimitives.ReadInt64LittleEndian(s[4..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(s[12..]);
            if (length <= 0 || length > SlotBytes - Header || s.Length < Header + length) continue;
            var json = s.Slice(Header, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(s[16..]) != Crc32.HashToUInt32(json) || generation <= bestGeneration) continue;
            try
            {
                best = JsonSerializer.Deserialize(json, BufferJsonContext.Default.BufferState);
                bestGeneration = generation;
            }
            catch (JsonException) { }
        }
        return (best, bestGeneration);
    }

    /// <summary>Largest JSON a slot holds.</summary>
    public static int Capacity => SlotBytes - Header;

    public void Write(byte[] json)
    {
        if (json.Length > Capacity) throw new ArgumentException($"buffer state of {json.Length} B exceeds its {Capacity} B slot");
        _generation++;
        var pages = (Header + json.Length + DirectFile.Page - 1) / DirectFile.Page;
        var buffer = _pages.Span[..(pages * DirectFile.Page)];
        buffer.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[4..], _generation);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[12..], json.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[16..], Crc32.HashToUInt32(json));
        json.CopyTo(buffer[Header..]);
        _file.WritePages(buffer, (_generation % 2) * SlotBytes);
    }

    public void Dispose() => _file.Dispose();
}
