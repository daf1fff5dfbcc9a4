namespace EdgeTelemetry.Arm64Tests;

public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EdgeTelemetry.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
