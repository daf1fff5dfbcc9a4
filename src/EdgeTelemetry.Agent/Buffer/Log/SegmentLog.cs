using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace EdgeTelemetry.Agent.Buffer.Log;

/// <summary>Where a record lies: its segment, the offset of its frame and the length of its body.</summary>
internal readonly record struct RecordPosition(int Segment, int Offset, int Length);

/// <summary>
/// The buffer's data as an append-only log of records in fixed-size segment files ({number}.seg), each zeroed
/// ahead of use so appending never changes a file's size (no metadata write per commit). A record is a frame:
/// body length (u32), CRC-32 of the body (u32), body; a zero length ends a segment's records. A commit writes the
/// pages its frames touch, from the page the tail had reached, in one direct write: the earlier records of that
/// page go out again with the same bytes, so a torn write mixes identical old and new sectors and only the
/// uncommitted frame can be damaged — its CRC then fails and the scan stops there. Whole segments are deleted.
/// </summary>
internal sealed class SegmentLog : IDisposable
{
    private const string Extension = ".seg";
    private const int FrameHeader = 8;

    private readonly string _dir;
    private readonly bool _durable;
    private readonly SortedSet<int> _segments = [];
    private readonly Dictionary<int, SafeFileHandle> _readers = [];
    private DirectFile? _tail;
    private int _tailSegment;
    private int _tailOffset;
    private int _tailCapacity;
    private Memory<byte> _pages = DirectFile.AlignedPages(4);
    private readonly Memory<byte> _tailPage = DirectFile.AlignedPages(1);

    private SegmentLog(string dir, int segmentBytes, bool durable)
    {
        _dir = dir;
        SegmentBytes = segmentBytes;
        _durable = durable;
    }

    public int SegmentBytes { get; }
    public IReadOnlyCollection<int> Segments => _segments;
    public int TailSegment => _tailSegment;
    public long UsedBytes => (long)_segments.Count * SegmentBytes;
    public int MaxBody => SegmentBytes - FrameHeader;

    /// <summary>Test and operations hook: writes fail as on a full disk, or as on read-only media.</summary>
    public Func<IOException?>? FailWrites { get; set; }

    /// <summary>Test and operations hook: a new segment beyond this many bytes fails as on a full disk.</summary>
    public long MaxBytes { get; set; } = long.MaxValue;

    /// <summary>
    /// Opens the log in <paramref name="dir"/> and reads every record of every segment, oldest first, through
    /// <paramref name="onRecord"/>; the tail is where the last segment's valid records end.
    /// </summary>
    public static SegmentLog Open(string dir, int segmentBytes, bool durable, bool readOnly, Action<RecordPosition, ReadOnlySpan<byte>> onRecord)
    {
        var found = new SortedSet<int>();
        foreach (var file in Directory.EnumerateFiles(dir, "*" + Extension))
            if (int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var number)) found.Add(number);
        // Read only (beside the running agent): the segments are as large as the agent made them.
        // (The newest may still be being zeroed, shorter than the rest: the largest file says it.)
        if (readOnly)
            segmentBytes = (int)Math.Max(2 * DirectFile.Page, found.Select(n => Path.Combine(dir, n.ToString("D10", CultureInfo.InvariantCulture) + Extension))
                .Select(f => { try { return new FileInfo(f).Length; } catch (IOException) { return 0L; } })
                .DefaultIfEmpty(0).Max() + DirectFile.Page - 1) / DirectFile.Page * DirectFile.Page;
        if (segmentBytes % DirectFile.Page != 0 || segmentBytes < 2 * DirectFile.Page)
            throw new ArgumentException($"segment size {segmentBytes} must be a multiple of {DirectFile.Page} and at least two pages");
        var log = new SegmentLog(dir, segmentBytes, durable);
        log._segments.UnionWith(found);
        var end = 0;
        var size = 0;
        var data = new byte[segmentBytes];
        foreach (var n in log._segments)
        {
            try
            {
                // Each file by its own length: an earlier configuration may have made its segments larger.
                using var f = File.OpenHandle(log.PathOf(n));
                size = (int)Math.Min(int.MaxValue, RandomAccess.GetLength(f));
                if (data.Length < size) data = new byte[size];
                data.AsSpan(0, size)[RandomAccess.Read(f, data.AsSpan(0, size), 0)..].Clear();
            }
            catch (FileNotFoundException) when (readOnly) { continue; } // deleted by the agent meanwhile
            end = Scan(n, data.AsSpan(0, size), onRecord);
        }
        // A segment made but never written (a crash right after zeroing it) lacks its preamble: the next commit starts another.
        if (!readOnly && log._segments.Count > 0 && end == 0)
        {
            File.Delete(log.PathOf(log._segments.Max));
            log._segments.Remove(log._segments.Max);
            return log;
        }
        if (log._segments.Count > 0 && !readOnly)
        {
            log._tailSegment = log._segments.Max;
            log._tailOffset = end;
            log._tailCapacity = size;
            // The tail page as on disk up to the end of the valid records, zeros after (a torn frame is overwritten).
            var page = end / DirectFile.Page * DirectFile.Page;
            log._tailPage.Span.Clear();
            data.AsSpan(page, end - page).CopyTo(log._tailPage.Span);
            log._tail = DirectFile.Open(log.PathOf(log._tailSegment), create: false, durable);
        }
        return log;
    }

    private static int Scan(int segment, ReadOnlySpan<byte> data, Action<RecordPosition, ReadOnlySpan<byte>> onRecord)
    {
        var offset = 0;
        while (offset + FrameHeader <= data.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            if (length <= 0 || length > data.Length - offset - FrameHeader) break;
            var body = data.Slice(offset + FrameHeader, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]) != Crc32.HashToUInt32(body)) break;
            onRecord(new RecordPosition(segment, offset, length), body);
            offset += FrameHeader + length;
        }
        return offset;
    }

    /// <summary>
    /// Appends the bodies as one commit (durable when it returns, if the log is). A body that does not fit in the
    /// tail segment starts a new one, which begins with <paramref name="segmentPreamble"/> (what a segment needs to
    /// be read on its own, e.g. the dictionary). Every new segment a commit needs is made before any of its frames
    /// is written, so a full disk fails the commit whole, never halfway.
    /// </summary>
    public RecordPosition[] Append(IReadOnlyList<byte[]> bodies, Func<byte[]?> segmentPreamble)
    {
        if (FailWrites?.Invoke() is { } failure) throw failure;
        var preamble = segmentPreamble();
        var preambleBytes = preamble is null ? 0 : FrameHeader + preamble.Length;
        var needed = 0;
        long offset = _tailOffset, capacity = _tail is null ? 0 : _tailCapacity;
        foreach (var body in bodies)
        {
            if (preambleBytes + FrameHeader + body.Length > SegmentBytes) throw new ArgumentException($"a record of {body.Length} B does not fit in a {SegmentBytes} B segment");
            if (capacity == 0 || offset + FrameHeader + body.Length > capacity) { needed++; offset = preambleBytes; capacity = SegmentBytes; }
            offset += FrameHeader + body.Length;
        }
        var fresh = new Queue<(int Number, DirectFile File)>();
        try
        {
            for (var k = 0; k < needed; k++) fresh.Enqueue(CreateSegment());
        }
        catch
        {
            foreach (var (number, file) in fresh) { file.Dispose(); File.Delete(PathOf(number)); _segments.Remove(number); }
            throw;
        }
        var positions = new RecordPosition[bodies.Count];
        var i = 0;
        while (i < bodies.Count)
        {
            if (_tail is null || _tailOffset + FrameHeader + bodies[i].Length > _tailCapacity)
            {
                var (number, file) = fresh.Dequeue();
                _tail?.Dispose();
                (_tail, _tailSegment, _tailOffset, _tailCapacity) = (file, number, 0, SegmentBytes);
                _tailPage.Span.Clear();
                if (preamble is not null) WriteFrames([preamble], 0, 1, null);
            }
            // As many of the remaining bodies as fit in this segment, in one write.
            var fit = i;
            var room = _tailCapacity - _tailOffset;
            while (fit < bodies.Count && FrameHeader + bodies[fit].Length <= room) room -= FrameHeader + bodies[fit++].Length;
            WriteFrames(bodies, i, fit, positions);
            i = fit;
        }
        return positions;
    }

    private void WriteFrames(IReadOnlyList<byte[]> bodies, int from, int to, RecordPosition[]? positions)
    {
        var start = _tailOffset / DirectFile.Page * DirectFile.Page;
        var end = _tailOffset;
        for (var i = from; i < to; i++) end += FrameHeader + bodies[i].Length;
        var pages = (end - start + DirectFile.Page - 1) / DirectFile.Page;
        if (_pages.Length < pages * DirectFile.Page) _pages = DirectFile.AlignedPages(pages);
        var buffer = _pages.Span[..(pages * DirectFile.Page)];
        buffer.Clear();
        _tailPage.Span[..(_tailOffset - start)].CopyTo(buffer);
        var at = _tailOffset;
        for (var i = from; i < to; i++)
        {
            var frame = buffer[(at - start)..];
            BinaryPrimitives.WriteInt32LittleEndian(frame, bodies[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], Crc32.HashToUInt32(bodies[i]));
            bodies[i].CopyTo(frame[FrameHeader..]);
            if (positions is not null) positions[i] = new RecordPosition(_tailSegment, at, bodies[i].Length);
            at += FrameHeader + bodies[i].Length;
        }
        _tail!.WritePages(buffer, start);
        _tailOffset = end;
        var lastPage = end / DirectFile.Page * DirectFile.Page;
        _tailPage.Span.Clear();
        buffer.Slice(lastPage - start, Math.Min(DirectFile.Page, buffer.Length - (lastPage - start))).CopyTo(_tailPage.Span);
    }

    /// <summary>A new segment file, zeroed ahead of use: appends then never change its size, and a zero length marks the end.</summary>
    private (int Number, DirectFile File) CreateSegment()
    {
        if (UsedBytes + SegmentBytes > MaxBytes) throw new BufferFullException($"the buffer's disk is full ({UsedBytes} B used, {MaxBytes} B allowed)");
        var next = (_segments.Count == 0 ? 0 : _segments.Max) + 1;
        var path = PathOf(next);
        var file = DirectFile.Open(path, create: true, _durable);
        try
        {
            var zeros = DirectFile.AlignedPages(Math.Min(16, SegmentBytes / DirectFile.Page));
            for (long offset = 0; offset < SegmentBytes; offset += zeros.Length)
                file.WritePages(zeros.Span[..(int)Math.Min(zeros.Length, SegmentBytes - offset)], offset);
            if (_durable) DirectFile.SyncDirectory(_dir);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
        _segments.Add(next);
        return (next, file);
    }

    /// <summary>A record's body, read back and checked against its CRC.</summary>
    public byte[] Read(RecordPosition at)
    {
        if (!_readers.TryGetValue(at.Segment, out var handle))
        {
            if (_readers.Count >= 4) { foreach (var h in _readers.Values) h.Dispose(); _readers.Clear(); }
            _readers[at.Segment] = handle = File.OpenHandle(PathOf(at.Segment));
        }
        var frame = new byte[FrameHeader + at.Length];
        if (RandomAccess.Read(handle, frame, at.Offset) != frame.Length
            || BinaryPrimitives.ReadInt32LittleEndian(frame) != at.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(4)) != Crc32.HashToUInt32(frame.AsSpan(FrameHeader)))
            throw new InvalidDataException($"record at {PathOf(at.Segment)}:{at.Offset} no longer matches its checksum");
        return frame[FrameHeader..];
    }

    /// <summary>Deletes a whole segment (never the tail: it holds the highest seq).</summary>
    public void Delete(int segment)
    {
        if (segment == _tailSegment) throw new InvalidOperationException("the tail segment is not deleted");
        if (_readers.Remove(segment, out var handle)) handle.Dispose();
        File.Delete(PathOf(segment));
        _segments.Remove(segment);
    }

    /// <summary>Ends the tail segment so that the next append starts a new one (the old tail can then be deleted).</summary>
    public void CloseTail()
    {
        _tail?.Dispose();
        _tail = null;
        _tailSegment = 0;
    }

    private string PathOf(int segment) => Path.Combine(_dir, segment.ToString("D10", CultureInfo.InvariantCulture) + Extension);

    public void Dispose()
    {
        _tail?.Dispose();
        foreach (var h in _readers.Values) h.Dispose();
        _readers.Clear();
    }
}
