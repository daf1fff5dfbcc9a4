namespace EdgeTelemetry.Security;

/// <summary>
/// Writes a file that only its owner may read (mode 0600: registries, keys) beside its final path and renames it
/// into place, so a reader never sees half a file and the mode is right from the first byte.
/// </summary>
public static class OwnerOnlyFile
{
    /// <summary>Writes <paramref name="path"/>, replacing an existing file (whose owner is kept).</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, replace: true);

    /// <summary>
    /// Writes <paramref name="path"/> only if no file is there yet; false when another process got there first
    /// (the rename refuses to replace, so two instances starting together keep one file between them).
    /// </summary>
    public static bool TryCreate(string path, Action<Stream> write) => Write(path, write, replace: false);

    private static bool Write(string path, Action<Stream> write, bool replace)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(tmp, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            // Keep the owner of an existing file (root running a sub-command must not take it from the service user).
            if (replace && File.Exists(path) && !OperatingSystem.IsWindows()) CopyOwner(path, tmp);
            try
            {
                File.Move(tmp, path, overwrite: replace);
            }
            catch (IOException) when (!replace && File.Exists(path))
            {
                return false;
            }
            return true;
        }
        finally
        {
            File.Delete(tmp); // gone already after a successful move
        }
    }

    /// <summary>coreutils' chown --reference: .NET has no API for a file's owner.</summary>
    private static void CopyOwner(string from, string to)
    {
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown", ["--reference", from, to]) { RedirectStandardError = true });
            p?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception) { } // no chown: nothing to keep
    }
}
