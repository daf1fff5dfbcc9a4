using System.Text.Json;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Transfer;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Agent.Tests.Transfer;

public class BundleExportTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private string BufferPath => _dir.File("buffer.db");
    private string Usb => _dir.File("usb");

    private string Config(string extra = "")
    {
        var path = _dir.File("agent.yaml");
        File.WriteAllText(path, $"""
            site: md-test
            device: cf-1
            buffer:
              path: {BufferPath}
            sensors:
              - driver: simulated
                profile: centrifuge
                equipment: centrifuge-1
                intervalMs: 50
            {extra}
            """);
        return path;
    }

    /// <summary>Sample i (seq i) is taken at T0 + i minutes.</summary>
    private static PendingSample At(int minute, SampleKind kind = SampleKind.Telemetry, ClockStamp? clock = null) =>
        new(Time.ToUnixNanoseconds(T0.AddMinutes(minute)), kind == SampleKind.Event ? "alarm" : "centrifuge", "centrifuge-1",
            kind == SampleKind.Event
                ? [new Reading("active", 1, Units.None)]
                : [new Reading("bowl_speed", 400 + minute % 7, Units.Rpm), new Reading("fluidisation_pressure", 120, Units.KiloPascal)],
            kind, clock);

    /// <summary>A buffer as a running agent leaves it: 500 telemetry samples, 5 events among them, the first 150 sent.</summary>
    private async Task<SampleBuffer> BufferAsync()
    {
        var buffer = await SampleBuffer.OpenAsync(BufferPath, progressInterval: TimeSpan.Zero);
        await buffer.AppendAsync(Enumerable.Range(1, 505).Select(i => At(i, i % 101 == 0 ? SampleKind.Event : SampleKind.Telemetry)).ToList());
        await buffer.MarkSentAsync(Enumerable.Range(1, 150).Select(i => (long)i).ToList(), receipted: true);
        return buffer;
    }

    private async Task<(int Exit, string Out, string Err)> ExportAsync(params string[] extra)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await BundleExport.RunAsync(["--config", Config(), "--out", Usb, .. extra], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The wire-v2 dictionaries of the bundle last read, by id (the envelopes are v2 batches by default).</summary>
    private static readonly Dictionary<ulong, ChannelDictionary> Dictionaries = [];

    private static async Task<(VerifiedBundle Bundle, List<(BundleEntry Entry, TelemetryBatch Batch)> Envelopes)> ReadAsync(string path)
    {
        var bundle = await BundleReader.VerifyAsync(path);
        var list = new List<(BundleEntry, TelemetryBatch)>();
        Dictionaries.Clear();
        await foreach (var e in BundleReader.ReadEntriesAsync(bundle))
        {
            if (e.DictionaryId is { } id) { Dictionaries[id] = ChannelDictionary.Parser.ParseFrom(e.Envelope); continue; }
            var batch = WireV2.IsV2(e.Envelope)
                ? WireV2.TryDecode(e.Envelope, bundle.Header.Site, bundle.Header.Device, Dictionaries.GetValueOrDefault, 100_000, 1 << 24, out var error)
                : BatchCodec.TryDecode(e.Envelope, out error);
            list.Add((e, batch ?? throw new InvalidOperationException(error!.Detail)));
        }
        return (bundle, list);
    }

    private static IEnumerable<long> Seqs(IEnumerable<(BundleEntry Entry, TelemetryBatch Batch)> envelopes) =>
        envelopes.SelectMany(e => e.Batch.Samples!.Select(s => s.Seq));

    private string SingleBundle() => Assert.Single(Directory.GetFiles(Usb));

    [Fact]
    public async Task Default_export_takes_the_unsent_samples_beside_the_running_agent_and_marks_nothing_sent()
    {
        await using var buffer = await BufferAsync(); // stays open, as in the running agent
        var before = await buffer.CountAsync();

        var (exit, output, _) = await ExportAsync();

        Assert.Equal(0, exit);
        var file = SingleBundle();
        Assert.Equal($"md-test_cf-1_{buffer.StreamId}_151-505.etbundle", Path.GetFileName(file));
        var (bundle, envelopes) = await ReadAsync(file);
        var h = bundle.Header;
        Assert.Equal(("md-test", "cf-1", buffer.StreamId, "unsent", 355L, 151L, 505L, "151-505"), (h.Site, h.Device, h.Stream, h.Selection, h.Samples, h.FirstSeq, h.LastSeq, h.Seqs));
        Assert.Equal((351L, 4L), (h.Kinds.Telemetry, h.Kinds.Events)); // events at 202, 303, 404, 505
        Assert.Equal(Enumerable.Range(151, 355).Select(i => (long)i), Seqs(envelopes).Order());
        Assert.StartsWith($"exported 355 samples (seq 151-505) to {file}, sha256 {bundle.Sha256}", output);
        Assert.Contains("nothing was marked sent", output);

        Assert.Equal(before, await buffer.CountAsync()); // export is read-only
        Assert.Equal(151, (await buffer.ReadUnsentAsync(1))[0].Seq);
        Assert.Empty(Directory.GetFiles(Usb, "*.partial"));
    }

    [Fact]
    public async Task Envelopes_are_wire_batches_of_at_most_200_with_telemetry_and_events_apart_in_sequence_order()
    {
        await using var buffer = await BufferAsync();
        await ExportAsync("--all");

        var (_, envelopes) = await ReadAsync(SingleBundle());

        Assert.All(envelopes, e => Assert.InRange(e.Batch.Samples!.Count, 1, BundleExport.MaxSamplesPerEnvelope));
        Assert.All(envelopes, e => Assert.Equal(("md-test", "cf-1", buffer.StreamId, (long?)null), (e.Batch.Site, e.Batch.Device, e.Batch.Stream, e.Batch.SentNs)));
        Assert.All(envelopes.Where(e => e.Entry.Kind == TopicKind.Events), e => Assert.All(e.Batch.Samples!, s => Assert.Equal("alarm", s.Measurement)));
        Assert.All(envelopes.Where(e => e.Entry.Kind == TopicKind.Telemetry), e => Assert.All(e.Batch.Samples!, s => Assert.Equal("centrifuge", s.Measurement)));
        foreach (var kind in new[] { TopicKind.Telemetry, TopicKind.Events })
        {
            var seqs = Seqs(envelopes.Where(e => e.Entry.Kind == kind)).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
        // Each envelope passes the central's validation on the topic of its kind, as it would from MQTT.
        foreach (var (entry, _) in envelopes)
        {
            var result = BatchValidator.Validate(Topics.For("md-test", "cf-1", entry.Kind), entry.Envelope, DateTimeOffset.UtcNow, new ValidationLimits(),
                (_, _, id) => Dictionaries.GetValueOrDefault(id));
            Assert.Empty(result.Rejections.Select(r => r.Detail));
        }
    }

    [Fact]
    public async Task All_exports_sent_and_unsent_samples()
    {
        await using var buffer = await BufferAsync();

        var (exit, output, _) = await ExportAsync("--all");

        Assert.Equal(0, exit);
        var (bundle, envelopes) = await ReadAsync(SingleBundle());
        Assert.Equal(("all", 505L, "1-505", 500L, 5L), (bundle.Header.Selection, bundle.Header.Samples, bundle.Header.Seqs, bundle.Header.Kinds.Telemetry, bundle.Header.Kinds.Events));
        Assert.Equal(Enumerable.Range(1, 505).Select(i => (long)i), Seqs(envelopes).Order());
        Assert.StartsWith("exported 505 samples (seq 1-505)", output);
    }

    [Fact]
    public async Task A_time_range_exports_samples_taken_from_from_up_to_but_not_including_to_sent_or_not()
    {
        await using var buffer = await BufferAsync();

        var (exit, _, _) = await ExportAsync("--from", T0.AddMinutes(100).ToString("O"), "--to", "2026-11-20T05:00:00Z"); // minute 300

        Assert.Equal(0, exit);
        var (bundle, envelopes) = await ReadAsync(SingleBundle());
        Assert.Equal(("range", 200L, 100L, 299L), (bundle.Header.Selection, bundle.Header.Samples, bundle.Header.FirstSeq, bundle.Header.LastSeq));
        Assert.Equal((T0.AddMinutes(100), T0.AddHours(5)), (bundle.Header.From, bundle.Header.To));
        Assert.Equal(Enumerable.Range(100, 200).Select(i => (long)i), Seqs(envelopes).Order());
        Assert.All(envelopes.SelectMany(e => e.Batch.Samples!), s => Assert.InRange(s.TimestampNs, Time.ToUnixNanoseconds(T0.AddMinutes(100)), Time.ToUnixNanoseconds(T0.AddHours(5)) - 1));
    }

    [Fact]
    public async Task Unsent_samples_need_not_be_contiguous_and_the_header_lists_their_ranges()
    {
        await using var buffer = await BufferAsync();
        await buffer.MarkSentAsync(Enumerable.Range(300, 100).Select(i => (long)i).ToList(), receipted: true); // the live lane sent these first

        await ExportAsync();

        var (bundle, envelopes) = await ReadAsync(SingleBundle());
        Assert.Equal(("151-299,400-505", 255L), (bundle.Header.Seqs, bundle.Header.Samples));
        Assert.Equal(Enumerable.Range(151, 149).Concat(Enumerable.Range(400, 106)).Select(i => (long)i), Seqs(envelopes).Order());
    }

    [Fact]
    public async Task Samples_waiting_for_a_trustworthy_clock_stay_behind_and_corrected_ones_say_so()
    {
        await using var buffer = await SampleBuffer.OpenAsync(BufferPath, progressInterval: TimeSpan.Zero);
        await buffer.AppendAsync([At(1), At(2, clock: new ClockStamp("boot-a", 1_000, Trusted: false))]);
        await buffer.CorrectClockAsync("boot-a", Time.ToUnixNanoseconds(T0));
        await buffer.AppendAsync([At(3, clock: new ClockStamp("boot-b", 2_000, Trusted: false))]);

        var (_, output, _) = await ExportAsync();

        var (bundle, envelopes) = await ReadAsync(SingleBundle());
        var samples = envelopes.SelectMany(e => e.Batch.Samples!).ToList();
        Assert.Equal([1L, 2L], samples.Select(s => s.Seq));
        Assert.DoesNotContain(samples[0].Readings!, r => r.Name == "clock_corrected");
        Assert.Contains(samples[1].Readings!, r => r.Name == "clock_corrected" && r.Value == 1); // as the publisher sends it
        Assert.Equal(Time.ToUnixNanoseconds(T0) + 1_000, samples[1].TimestampNs);
        Assert.Contains("1 samples wait for a trustworthy clock and were not exported", output);
        Assert.Equal(2, bundle.Header.Samples);
    }

    /// <summary>Every file of the buffer directory, names and bytes, in order.</summary>
    private string BufferBytes() => string.Join("\n", Directory.GetFiles(BufferPath).Order().Select(f => f + ":" + Convert.ToBase64String(File.ReadAllBytes(f))));

    [Fact]
    public async Task Export_of_a_closed_buffer_works_and_leaves_it_unchanged()
    {
        await (await BufferAsync()).DisposeAsync(); // agent stopped
        SqliteConnection.ClearAllPools();
        var bytes = BufferBytes();

        var (exit, _, _) = await ExportAsync();

        Assert.Equal(0, exit);
        Assert.Equal(355, (await BundleReader.VerifyAsync(SingleBundle())).Header.Samples);
        Assert.Equal(bytes, BufferBytes());
    }

    [Fact]
    public async Task Envelopes_respect_the_publishers_byte_limit()
    {
        await using var buffer = await BufferAsync();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await BundleExport.RunAsync(["--config", Config("publish:\n  maxBatchBytes: 4096"), "--out", Usb], stdout, stderr));

        var (bundle, envelopes) = await ReadAsync(SingleBundle());
        Assert.All(envelopes, e => Assert.True(e.Entry.Envelope.Length <= 4096, $"{e.Entry.Envelope.Length} bytes"));
        Assert.Equal(bundle.Header.Samples, Seqs(envelopes).Count());
    }

    [Fact]
    public async Task Nothing_unsent_writes_no_bundle()
    {
        await using var buffer = await SampleBuffer.OpenAsync(BufferPath, progressInterval: TimeSpan.Zero);
        await buffer.AppendAsync([At(1)]);
        await buffer.MarkSentAsync([1], receipted: true);

        var (exit, output, _) = await ExportAsync();

        Assert.Equal(0, exit);
        Assert.StartsWith("nothing to export: no unsent samples in", output);
        Assert.False(Directory.Exists(Usb) && Directory.EnumerateFileSystemEntries(Usb).Any());
    }

    [Fact]
    public async Task A_missing_buffer_file_is_an_error_and_is_not_created()
    {
        var (exit, _, error) = await ExportAsync();

        Assert.Equal(1, exit);
        Assert.Contains($"buffer '{BufferPath}' does not exist", error);
        Assert.False(File.Exists(BufferPath)); // a wrong path must not start a new, empty buffer (and stream)
    }

    [Theory]
    [InlineData("--all", "--from", "2026-11-20T00:00:00Z")]
    [InlineData("--from", "yesterday")]
    [InlineData("--from", "2026-11-21T00:00:00Z", "--to", "2026-11-20T00:00:00Z")]
    [InlineData("--unsent")]
    public async Task Bad_arguments_print_the_usage(params string[] extra)
    {
        var (exit, _, error) = await ExportAsync(extra);
        Assert.Equal(2, exit);
        Assert.Contains("usage: edgetelemetry-agent export --config <agent.yaml> --out <dir>", error);
    }

    [Fact]
    public async Task The_agent_command_line_dispatches_export()
    {
        await using var buffer = await BufferAsync();
        Assert.Equal(0, await AgentApp.RunAsync(["export", "--config", Config(), "--out", Usb]));
        Assert.Equal(355, (await BundleReader.VerifyAsync(SingleBundle())).Header.Samples);
    }
}
