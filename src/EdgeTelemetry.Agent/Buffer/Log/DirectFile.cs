using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeTelemetry.Agent.Buffer.Log;

/// <summary>
/// A file written in whole 4 KiB pages with O_DIRECT (and O_DSYNC when durable): the page cache is left out, so
/// one commit writes one page, not the 2 MiB folio the cache may hold it in (docs/benchmarks.md §9). .NET has no
/// O_DIRECT, hence open(2) here; writes go through <see cref="RandomAccess"/> from page-aligned memory. Where the
/// file system refuses O_DIRECT (tmpfs), the file is opened without it: still correct, only the wear differs.
/// </summary>
internal sealed partial class DirectFile : IDisposable
{
    public const int Page = 4096;

    private readonly SafeFileHandle _handle;

    private DirectFile(SafeFileHandle handle) => _handle = handle;

    public static DirectFile Open(string path, bool create, bool durable)
    {
        var flags = O_RDWR | (create ? O_CREAT : 0) | (durable ? O_DSYNC : 0) | O_CLOEXEC;
        var fd = OpenFd(path, flags | ODirect, 0b110_000_000); // 0600: the buffer is the agent's alone
        if (fd < 0 && Marshal.GetLastPInvokeError() == EINVAL) fd = OpenFd(path, flags, 0b110_000_000);
        if (fd < 0) throw new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}", Marshal.GetLastPInvokeError());
        return new DirectFile(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Writes whole pages at a page-aligned offset; <paramref name="pages"/> must come from <see cref="AlignedPages"/>.</summary>
    public void WritePages(ReadOnlySpan<byte> pages, long offset)
    {
        if (offset % Page != 0 || pages.Length % Page != 0) throw new ArgumentException("direct writes are whole pages at page offsets");
        try { RandomAccess.Write(_handle, pages, offset); }
        catch (IOException ex) when (ex.HResult == ENOSPC || ex.Message.Contains("No space left", StringComparison.Ordinal))
        {
            throw new BufferFullException($"the buffer's disk is full ({ex.Message})", ex);
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>Makes a new or removed entry of <paramref name="directory"/> survive a power cut (fsync of the directory).</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = OpenFd(directory, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) return; // best effort: not every file system lets a directory be opened
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    /// <summary>Page-aligned memory for direct writes: a pinned array (it never moves) sliced at a page boundary.</summary>
    public static Memory<byte> AlignedPages(int pages)
    {
        var array = GC.AllocateArray<byte>((pages + 1) * Page, pinned: true);
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        var skip = (int)((Page - address % Page) % Page);
        return array.AsMemory(skip, pages * Page);
    }

    private const int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_DSYNC = 0x1000, O_CLOEXEC = 0x80000, EINVAL = 22, ENOSPC = 28;

    // O_DIRECT is 040000 on x86-64 but 0200000 on arm and arm64 (arch/arm64/include/uapi/asm/fcntl.h).
    private static int ODirect => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenFd(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>The buffer's disk is full: eviction can make room (counted), then the commit is retried.</summary>
public sealed class BufferFullException(string message, Exception? inner = null) : IOException(message, inner);
