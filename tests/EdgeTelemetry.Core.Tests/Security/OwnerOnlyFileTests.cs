using System.Text;
using EdgeTelemetry.Security;

namespace EdgeTelemetry.Core.Tests.Security;

public class OwnerOnlyFileTests
{
    private static Action<Stream> Text(string s) => stream => stream.Write(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Create_never_replaces_a_file_another_instance_wrote_first_so_both_use_one_key()
    {
        using var dir = new TempDir();
        var path = dir.File("report-signing-key.pem");

        var first = OwnerOnlyFile.TryCreate(path, Text("first"));
        var second = OwnerOnlyFile.TryCreate(path, Text("second"));

        Assert.Equal((true, false), (first, second));
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path)); // the loser's temp file is gone too
    }

    [Fact]
    public void Write_replaces_the_file_and_leaves_it_owner_only()
    {
        using var dir = new TempDir();
        var path = dir.File("devices.json");
        File.WriteAllText(path, "old");

        OwnerOnlyFile.Write(path, Text("new"));

        Assert.Equal("new", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
