using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Benchmarks;

/// <summary>
/// The per-message CPU work of the agent (encode) and the central service (decode, validate, line
/// protocol) for one 200-sample batch — the most the agent's publisher puts in a message.
/// </summary>
[Config(typeof(HotPathConfig))]
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    public const int Samples = 200;
    private static readonly ValidationLimits Limits = new();
    private static readonly DateTimeOffset ReceivedAt = SampleData.Start.AddMinutes(1);
    private static readonly long SentNs = Time.ToUnixNanoseconds(SampleData.Start.AddSeconds(21));
    private List<Sample> _samples = [];
    private byte[] _payload = [];
    private IReadOnlyList<Sample> _accepted = [];
    private readonly BatchTranscoder _transcoder = new(Limits);
    private readonly List<long> _seqs = new(Samples);
    private byte[] _v2Payload = [];
    private Func<ulong, ChannelDictionary?> _v2Dictionaries = _ => null;

    [GlobalSetup]
    public void Setup()
    {
        _samples = SampleData.Samples(Samples);
        _payload = Encode();
        var validated = Validate();
        if (validated.Accepted.Count != Samples || validated.Rejections.Count != 0)
            throw new InvalidOperationException($"fixture batch not fully valid: {string.Join("; ", validated.Rejections.Select(r => r.Detail))}");
        _accepted = validated.Accepted;
        // The same samples as the agent publishes them by default, and its dictionary as the central service keeps it.
        var encoder = new WireV2Encoder(SampleData.Stream, SampleData.AgentVersion);
        _v2Payload = encoder.Encode(_samples, SentNs, out _);
        var dictionary = ChannelDictionary.Parser.ParseFrom(encoder.DictionaryPayload);
        var id = encoder.DictionaryId;
        _v2Dictionaries = x => x == id ? dictionary : null;
        if (ValidateV2().Accepted.Count != Samples) throw new InvalidOperationException("fixture v2 batch not fully valid");
        Console.WriteLine($"// payload: {_payload.Length} bytes for {Samples} samples ({_payload.Length / (double)Samples:F0} B/sample); line protocol {LineProtocol()} bytes");
    }

    [Benchmark(Description = "agent: ToBatch + Encode")]
    public byte[] Encode() => BatchCodec.Encode(BatchCodec.ToBatch(SampleData.Site, SampleData.Device, SampleData.Stream, SampleData.AgentVersion, _samples, SentNs));

    [Benchmark(Description = "central: TryDecode")]
    public TelemetryBatch? Decode() => BatchCodec.TryDecode(_payload, out _);

    [Benchmark(Description = "central: Validate (incl. decode)")]
    public ValidatedBatch Validate() => BatchValidator.Validate(SampleData.TelemetryTopic, _payload, ReceivedAt, Limits);

    /// <summary>What the ingest pipeline does per message: one point per sample, appended as UTF-8 to a pooled buffer.</summary>
    [Benchmark(Description = "central: ToPoint + Append (UTF-8, pooled)")]
    public int LineProtocol()
    {
        using var lines = new LineBuffer(_accepted.Count * 320);
        foreach (var s in _accepted) LineProtocolWriter.Append(lines, SamplePoints.ToPoint(SampleData.Site, SampleData.Device, s));
        return lines.Length;
    }

    [Benchmark(Description = "central: Validate, wire v2 (decode into objects + checks)")]
    public ValidatedBatch ValidateV2() => BatchValidator.Validate(SampleData.TelemetryTopic, _v2Payload, ReceivedAt, Limits, (_, _, id) => _v2Dictionaries(id));

    /// <summary>The hot path for wire v2: decode, check and line protocol in one pass.</summary>
    [Benchmark(Description = "central: BatchTranscoder.TryWrite, wire v2")]
    public int TranscodeV2()
    {
        using var lines = new LineBuffer(_v2Payload.Length * 24);
        _seqs.Clear();
        if (!_transcoder.TryWrite(_v2Payload, new DeviceTopic(SampleData.Site, SampleData.Device, TopicKind.Telemetry),
                BatchValidator.LatestNs(ReceivedAt, Limits), lines, _seqs, out _, dictionaries: _v2Dictionaries)) throw new InvalidOperationException("fixture v2 batch not taken");
        return lines.Length;
    }

    /// <summary>The ingest hot path since the transcoder: the three rows above in one pass, for a batch it takes whole.</summary>
    [Benchmark(Description = "central: BatchTranscoder.TryWrite (validate + line protocol)")]
    public int Transcode()
    {
        using var lines = new LineBuffer(_payload.Length);
        _seqs.Clear();
        if (!_transcoder.TryWrite(_payload, new DeviceTopic(SampleData.Site, SampleData.Device, TopicKind.Telemetry),
                BatchValidator.LatestNs(ReceivedAt, Limits), lines, _seqs, out _)) throw new InvalidOperationException("fixture batch not taken");
        return lines.Length;
    }
}

/// <summary>One short job (1 launch, 6 warm-ups, 10 iterations of ~250 ms) plus median and per-sample columns.</summary>
public sealed class HotPathConfig : ManualConfig
{
    public HotPathConfig()
    {
        // ~250 ms per iteration (BenchmarkDotNet warns below 100 ms); the whole run, build included, stays under 2 minutes.
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)).WithId("Short10"));
        AddDiagnoser(MemoryDiagnoser.Default);
        // The median resists the odd slow iteration when other work shares the two cores.
        AddColumn(StatisticColumn.Median);
        AddColumn(new PerSampleColumn("samples/s", (s, b) =>
            s[b]?.ResultStatistics is { } st ? (HotPathBenchmarks.Samples / (st.Median * 1e-9)).ToString("N0") : "-"));
        AddColumn(new PerSampleColumn("alloc B/sample", (s, b) =>
            s[b]?.GcStats.GetBytesAllocatedPerOperation(b) is { } bytes ? (bytes / (double)HotPathBenchmarks.Samples).ToString("N0") : "-"));
        WithOptions(ConfigOptions.DisableLogFile);
    }
}

public sealed class PerSampleColumn(string name, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    public string Id => "PerSample." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => name == "samples/s" ? "200 / median time" : "allocated bytes per op / 200";
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
