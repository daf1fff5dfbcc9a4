using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Core.Tests.Transfer;

public class BundleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("et-bundle-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Envelope(TopicKind kind, params long[] seqs) => BatchCodec.Encode(BatchCodec.ToBatch("md-test", "cf-1", "st-1", "0.1.0",
        seqs.Select(seq => new Sample(seq, 1_763_900_000_000_000_000 + seq, kind == TopicKind.Events ? "alarm" : "centrifuge", "cf-1",
            [new Reading("bowl_speed", 400 + seq * 0.5, Units.Rpm)]))));

    /// <summary>Telemetry seqs 1-3 and 5, events seq 4: a header that matches them.</summary>
    private static (BundleHeader, (TopicKind, byte[])[]) Sample() =>
    (
        new BundleHeader
        {
            Site = "md-test", Device = "cf-1", Stream = "st-1", AgentVersion = "0.1.0", Created = DateTimeOffset.UnixEpoch,
            Samples = 5, FirstSeq = 1, LastSeq = 5, Seqs = "1-5", Kinds = new BundleKinds { Telemetry = 4, Events = 1 },
        },
        [(TopicKind.Telemetry, Envelope(TopicKind.Telemetry, 1, 2, 3)), (TopicKind.Events, Envelope(TopicKind.Events, 4)), (TopicKind.Telemetry, Envelope(TopicKind.Telemetry, 5))]
    );

    private async Task<(string Path, string Sha)> WriteAsync(BundleHeader header, IEnumerable<(TopicKind Kind, byte[] Payload)> entries, string name = "b")
    {
        var path = Path.Combine(_dir, name + Bundle.Extension);
        await using var file = File.Create(path);
        await using var writer = await BundleWriter.StartAsync(file, header);
        foreach (var (kind, payload) in entries) await writer.WriteEnvelopeAsync(kind, payload);
        return (path, await writer.CompleteAsync());
    }

    private async Task<string> WriteSampleAsync()
    {
        var (header, entries) = Sample();
        return (await WriteAsync(header, entries)).Path;
    }

    private static async Task<List<BundleEntry>> ReadAllAsync(VerifiedBundle bundle)
    {
        var list = new List<BundleEntry>();
        await foreach (var e in BundleReader.ReadEntriesAsync(bundle)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task Bundle_round_trips_header_kinds_and_envelopes_byte_for_byte()
    {
        var (header, entries) = Sample();
        var (path, sha) = await WriteAsync(header, entries);

        var bundle = await BundleReader.VerifyAsync(path);
        var read = await ReadAllAsync(bundle);

        Assert.Equal(sha, bundle.Sha256);
        Assert.Equal(("md-test", "cf-1", "st-1", 5L, 1L, 5L, "1-5"), (bundle.Header.Site, bundle.Header.Device, bundle.Header.Stream, bundle.Header.Samples, bundle.Header.FirstSeq, bundle.Header.LastSeq, bundle.Header.Seqs));
        Assert.Equal((4L, 1L), (bundle.Header.Kinds.Telemetry, bundle.Header.Kinds.Events));
        Assert.Equal(entries.Select(e => e.Item1), read.Select(e => e.Kind));
        Assert.Equal(entries.Select(e => Convert.ToHexString(e.Item2)), read.Select(e => Convert.ToHexString(e.Envelope)));
        Assert.Equal([2L, 3L, 4L], read.Select(e => e.Line));
        // What the import does with each envelope: the wire decoder takes it as MQTT would have carried it.
        Assert.All(read, e => Assert.NotNull(BatchCodec.TryDecode(e.Envelope, out _)));
    }

    [Fact]
    public async Task Every_line_is_json_and_the_trailer_is_the_sha256_of_the_preceding_bytes()
    {
        var path = await WriteSampleAsync();
        var text = await DecompressAsync(path);
        var lines = text.Split('\n');

        Assert.Equal("", lines[^1]); // ends in a line end
        Assert.All(lines[..^1], l => JsonDocument.Parse(l).Dispose());
        Assert.StartsWith("{\"format\":\"edgetelemetry-bundle\",\"version\":2,", lines[0]);
        Assert.StartsWith("{\"kind\":\"telemetry\",\"batch\":{\"v\":1,", lines[1]);
        Assert.StartsWith("{\"kind\":\"events\",\"batch\":", lines[2]);
        var covered = text[..(text.Length - lines[^2].Length - 1)];
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(covered)));
        Assert.Equal($"{{\"sha256\":\"{expected}\"}}", lines[^2]); // zcat b.etbundle | head -n -1 | sha256sum
    }

    [Fact]
    public async Task A_changed_value_fails_the_checksum_naming_file_and_trailer_line()
    {
        var path = await WriteSampleAsync();
        var text = await DecompressAsync(path);
        await CompressAsync(path, text.Replace("\"v\":401", "\"v\":901")); // a plausible edit: still valid JSON and a valid envelope

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.StartsWith($"{path}:5: checksum mismatch", ex.Message);
        Assert.Contains("damaged", ex.Message);
    }

    [Fact]
    public async Task A_broken_line_reports_the_checksum_and_the_first_unreadable_line()
    {
        var path = await WriteSampleAsync();
        var lines = (await DecompressAsync(path)).Split('\n');
        lines[2] = lines[2][..40];
        await CompressAsync(path, string.Join('\n', lines));

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.StartsWith($"{path}:5: checksum mismatch", ex.Message);
        Assert.EndsWith("(first unreadable line: 3)", ex.Message);
    }

    [Fact]
    public async Task A_bundle_cut_at_a_line_end_has_no_checksum_line_and_is_refused_as_truncated()
    {
        var path = await WriteSampleAsync();
        var text = await DecompressAsync(path);
        await CompressAsync(path, text[..(text.IndexOf("{\"sha256\"", StringComparison.Ordinal))]);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:4: the last line is not the checksum line {{\"sha256\":\"…\"}}: the bundle is truncated", ex.Message);
    }

    [Fact]
    public async Task A_bundle_cut_mid_line_is_refused_as_truncated()
    {
        var path = await WriteSampleAsync();
        var text = await DecompressAsync(path);
        await CompressAsync(path, text[..(text.Length - 20)]);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:5: the last line is cut off (no line end): the bundle is truncated", ex.Message);
    }

    [Theory]
    [InlineData(1)]   // inside the gzip footer: GZipStream itself does not notice
    [InlineData(4)]
    [InlineData(8)]   // the whole footer
    [InlineData(20)]  // into the compressed data
    [InlineData(-2)]  // half the file
    public async Task A_file_cut_short_as_by_a_yanked_usb_stick_is_refused(int cutBytes)
    {
        var path = await WriteSampleAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(cutBytes > 0 ? bytes.Length - cutBytes : bytes.Length / -cutBytes)]);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.StartsWith(path + ":", ex.Message);
        Assert.Matches("truncated|damaged", ex.Message);
    }

    [Fact]
    public async Task A_flipped_byte_in_the_compressed_file_is_refused()
    {
        var path = await WriteSampleAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.StartsWith(path + ":", ex.Message);
        Assert.Contains("damaged", ex.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_gzip_is_refused_at_line_1()
    {
        var path = Path.Combine(_dir, "notes" + Bundle.Extension);
        await File.WriteAllTextAsync(path, "{\"format\":\"edgetelemetry-bundle\"}\n");
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.StartsWith($"{path}:1: not a gzip stream", ex.Message);
    }

    [Fact]
    public async Task A_header_that_claims_other_samples_than_the_envelopes_hold_is_refused()
    {
        var (header, entries) = Sample();
        header.Samples = 6;
        header.LastSeq = 6;
        header.Seqs = "1-6";
        var (path, _) = await WriteAsync(header, entries);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:1: the header says 6 samples (seq 1-6, telemetry 4, events 1), the envelopes hold 5 (seq 1-5, telemetry 4, events 1); seqs '1-6' vs '1-5'", ex.Message);
    }

    [Fact]
    public async Task An_envelope_of_another_stream_is_refused_with_its_line()
    {
        var (header, entries) = Sample();
        var foreign = BatchCodec.Encode(BatchCodec.ToBatch("md-test", "cf-1", "other", "0.1.0",
            [new Sample(5, 1_763_900_000_000_000_005, "centrifuge", "cf-1", [new Reading("bowl_speed", 1, Units.Rpm)])]));
        var (path, _) = await WriteAsync(header, [entries[0], entries[1], (TopicKind.Telemetry, foreign)]);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:4: the envelope is for md-test/cf-1 stream other; the header says md-test/cf-1 stream st-1", ex.Message);
    }

    [Fact]
    public async Task A_bundle_of_a_newer_version_is_refused_by_name()
    {
        var (header, entries) = Sample();
        header.Version = 3;
        var (path, _) = await WriteAsync(header, entries);
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:1: bundle version 3 is not supported (this reader knows versions 1-2)", ex.Message);
    }

    private static List<Sample> Centrifuge(params long[] seqs) => [.. seqs.Select(seq =>
        new Sample(seq, 1_763_900_000_000_000_000 + seq * 1_000_000_000, "centrifuge", "cf-1", [new Reading("bowl_speed", 400 + seq * 0.5, Units.Rpm)]))];

    /// <summary>A version-2 bundle: a dictionary line, then wire-v2 batches (telemetry 1-3 and 5, events 4).</summary>
    private async Task<(string Path, WireV2Encoder Encoder, List<byte[]> Batches)> WriteV2Async(string stream = "st-1")
    {
        var (header, _) = Sample();
        header.Version = 2;
        var encoder = new WireV2Encoder(stream, "0.1.0");
        var alarm = new Sample(4, 1_763_900_004_000_000_000, "alarm", "cf-1", [new Reading("table_stopped", 1, Units.Count)]);
        var batches = new List<byte[]>();
        var path = Path.Combine(_dir, "v2" + Bundle.Extension);
        await using (var file = File.Create(path))
        await using (var writer = await BundleWriter.StartAsync(file, header))
        {
            // As the export writes them: a dictionary line whenever the batch about to follow grew it.
            foreach (var (kind, samples) in new[] { (TopicKind.Telemetry, Centrifuge(1, 2, 3)), (TopicKind.Events, [alarm]), (TopicKind.Telemetry, Centrifuge(5)) })
            {
                batches.Add(encoder.Encode(samples, null, out var grew));
                if (grew) await writer.WriteDictionaryAsync(encoder.DictionaryPayload);
                await writer.WriteV2Async(kind, batches[^1]);
            }
            await writer.CompleteAsync();
        }
        return (path, encoder, batches);
    }

    [Fact]
    public async Task A_version_2_bundle_carries_wire_v2_batches_byte_for_byte_after_their_dictionary_and_its_header_is_checked_against_them()
    {
        var (path, encoder, batches) = await WriteV2Async();

        var bundle = await BundleReader.VerifyAsync(path);
        var read = await ReadAllAsync(bundle);

        // dictionary, batch, grown dictionary, batch, batch
        Assert.Equal([true, false, true, false, false], read.Select(e => e.DictionaryId is not null));
        Assert.Equal(encoder.DictionaryId, read[2].DictionaryId);
        Assert.Equal(encoder.DictionaryPayload, read[2].Envelope);
        var envelopes = read.Where(e => e.DictionaryId is null).ToList();
        Assert.Equal([TopicKind.Telemetry, TopicKind.Events, TopicKind.Telemetry], envelopes.Select(e => e.Kind));
        Assert.Equal(batches, envelopes.Select(e => e.Envelope));
        Assert.Equal(3, bundle.Envelopes);
    }

    [Fact]
    public async Task A_version_2_bundle_whose_dictionary_is_another_streams_or_missing_is_refused_at_its_line()
    {
        var (path, _, _) = await WriteV2Async(stream: "st-other");
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:2: the dictionary is for stream st-other; the header says stream st-1", ex.Message);

        // The batches name the grown dictionary; the only dictionary line holds an older one.
        var (header, _) = Sample();
        header.Version = 2;
        var encoder = new WireV2Encoder("st-1", "0.1.0");
        encoder.Encode(Centrifuge(1), null, out _);
        var older = encoder.DictionaryPayload;
        var alarm = new Sample(4, 1_763_900_004_000_000_000, "alarm", "cf-1", [new Reading("table_stopped", 1, Units.Count)]);
        var path2 = Path.Combine(_dir, "v2-missing" + Bundle.Extension);
        await using (var file = File.Create(path2))
        await using (var writer = await BundleWriter.StartAsync(file, header))
        {
            await writer.WriteDictionaryAsync(older);
            await writer.WriteV2Async(TopicKind.Telemetry, encoder.Encode(Centrifuge(1, 2, 3), null, out _));
            await writer.WriteV2Async(TopicKind.Events, encoder.Encode([alarm], null, out _));
            await writer.CompleteAsync();
        }
        ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path2));
        Assert.StartsWith($"{path2}:4: the v2 batch names dictionary {WireV2.TopicId(encoder.DictionaryId)}, which no line before it holds", ex.Message);
    }

    [Fact]
    public async Task Wire_v2_lines_in_a_version_1_bundle_are_refused_by_name()
    {
        var (header, _) = Sample();
        header.Version = 1;
        var encoder = new WireV2Encoder("st-1", "0.1.0");
        var batch = encoder.Encode(Centrifuge(1, 2, 3), null, out _);
        var path = Path.Combine(_dir, "v1-with-v2" + Bundle.Extension);
        await using (var file = File.Create(path))
        await using (var writer = await BundleWriter.StartAsync(file, header))
        {
            await writer.WriteDictionaryAsync(encoder.DictionaryPayload);
            await writer.WriteV2Async(TopicKind.Telemetry, batch);
            await writer.CompleteAsync();
        }
        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => BundleReader.VerifyAsync(path));
        Assert.Equal($"{path}:2: unknown member \"dictionary\" (expected kind, batch, and sig and kid if signed)", ex.Message);
    }

    [Fact]
    public async Task Reading_a_bundle_that_changed_after_verification_fails_at_the_end()
    {
        var (header, entries) = Sample();
        var (path, _) = await WriteAsync(header, entries);
        var bundle = await BundleReader.VerifyAsync(path);
        header.AgentVersion = "9.9.9"; // same samples, different bytes: a consistent but different bundle
        await WriteAsync(header, entries);

        var ex = await Assert.ThrowsAsync<BundleFormatException>(() => ReadAllAsync(bundle));
        Assert.Contains("changed while it was being imported", ex.Message);
    }

    [Fact]
    public async Task File_name_carries_site_device_stream_and_seq_range()
    {
        var (header, _) = Sample();
        Assert.Equal("md-test_cf-1_st-1_1-5.etbundle", Bundle.FileName(header));
    }

    [Theory]
    [InlineData(new long[] { }, "")]
    [InlineData(new long[] { 7 }, "7")]
    [InlineData(new long[] { 1, 2, 3, 5, 7, 8 }, "1-3,5,7-8")]
    public void Seq_ranges_format_and_parse(long[] seqs, string text)
    {
        Assert.Equal(text, SeqRanges.Format(seqs));
        Assert.Equal(seqs, SeqRanges.Parse(text).SelectMany(r => Enumerable.Range((int)r.From, (int)(r.To - r.From + 1)).Select(i => (long)i)));
    }

    private static async Task<string> DecompressAsync(string path)
    {
        await using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return await new StreamReader(gz).ReadToEndAsync();
    }

    private static async Task CompressAsync(string path, string text)
    {
        await using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        await using var w = new StreamWriter(gz, new UTF8Encoding(false));
        await w.WriteAsync(text);
    }
}
