using System.IO.Compression;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Core.Tests.Transfer;

public class BundleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("et-bundle-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly BundleHeader Header = new() { Site = "s", Device = "d", Stream = "st", Created = DateTimeOffset.UnixEpoch, Samples = 2, FirstSeq = 1, LastSeq = 2 };

    private static BundleEntry Entry(long seq, TopicKind kind) => new(kind, BatchCodec.Encode(BatchCodec.ToBatch("s", "d", "st", "t",
        [new Sample(seq, 1_763_900_000_000_000_000 + seq, "centrifuge", "cf-1", [new Reading("bowl_speed", 400, Units.Rpm)])])));

    private async Task<string> WriteAsync(params BundleEntry[] entries)
    {
        var path = Path.Combine(_dir, "b" + Bundle.Extension);
        await using (var f = File.Create(path)) await Bundle.WriteAsync(f, Header, entries);
        return path;
    }

    [Fact]
    public async Task Bundle_round_trips_header_kinds_and_envelopes_byte_for_byte()
    {
        var entries = new[] { Entry(1, TopicKind.Telemetry), Entry(2, TopicKind.Events) };
        var (header, read) = await Bundle.ReadAsync(await WriteAsync(entries));
        Assert.Equal(("s", "d", "st", 2L), (header.Site, header.Device, header.Stream, header.Samples));
        Assert.Equal(entries.Select(e => e.Kind), read.Select(e => e.Kind));
        Assert.Equal(entries.Select(e => Convert.ToBase64String(e.Payload)), read.Select(e => Convert.ToBase64String(e.Payload)));
    }

    [Fact]
    public async Task A_changed_byte_fails_the_checksum_naming_file_and_line()
    {
        var path = await WriteAsync(Entry(1, TopicKind.Telemetry), Entry(2, TopicKind.Telemetry));
        var text = await Decompress(path);
        await Compress(path, text.Replace("\"v\":400", "\"v\":900"));
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => Bundle.ReadAsync(path));
        Assert.StartsWith($"{path}:4: checksum mismatch", ex.Message);
    }

    [Fact]
    public async Task A_truncated_bundle_is_refused()
    {
        var path = await WriteAsync(Entry(1, TopicKind.Telemetry), Entry(2, TopicKind.Telemetry));
        var text = await Decompress(path);
        await Compress(path, text[..text.LastIndexOf("sha256", StringComparison.Ordinal)]);
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => Bundle.ReadAsync(path));
        Assert.Contains("truncated", ex.Message);

        var bytes = await File.ReadAllBytesAsync(await WriteAsync(Entry(1, TopicKind.Telemetry)));
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]); // cut mid-gzip, as a yanked USB stick does
        Assert.Contains("truncated", (await Assert.ThrowsAsync<BundleFormatException>(() => Bundle.ReadAsync(path))).Message);
    }

    private static async Task<string> Decompress(string path)
    {
        await using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return await new StreamReader(gz).ReadToEndAsync();
    }

    private static async Task Compress(string path, string text)
    {
        await using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        await using var w = new StreamWriter(gz);
        await w.WriteAsync(text);
    }
}
