using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Storage;

/// <summary>One stretch of a read: from the raw points, or from a rollup of <see cref="Rollup"/> buckets.</summary>
public sealed record ReadPart(DateTimeOffset From, DateTimeOffset To, TimeSpan? Rollup);

/// <summary>
/// Where points live and where a read finds them. Raw process data (<see cref="RetentionOptions.RawMeasurements"/>) go
/// to the raw policy, everything else to the evidence policy (the database's default, so any client that names no
/// policy reads evidence). Telemetry is rolled up per minute and per hour by continuous queries into fields
/// <c>mean_f, min_f, max_f, count_f, sum_f</c>; a read uses a rollup when its buckets are whole rollup buckets.
/// </summary>
public sealed class RetentionLayout
{
    public static readonly TimeSpan Minute = TimeSpan.FromMinutes(1), Hour = TimeSpan.FromHours(1);

    private readonly HashSet<string> _raw;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _rawLookup;

    public RetentionLayout(IOptions<RetentionOptions> retention, IOptions<InfluxOptions> influx, IOptions<IngestOptions> ingest)
    {
        Options = retention.Value;
        Database = influx.Value.Database;
        // The policy every pre-existing point is in: an upgrade moves nothing.
        EvidencePolicy = string.IsNullOrEmpty(influx.Value.RetentionPolicy) ? "autogen" : influx.Value.RetentionPolicy;
        Enabled = Options.Enabled && influx.Value.Api == InfluxApi.V1;
        _raw = new HashSet<string>(Enabled ? Options.RawMeasurements : [], StringComparer.Ordinal);
        _rawLookup = _raw.GetAlternateLookup<ReadOnlySpan<char>>();
        RolledUp = new SortedSet<string>(Channels.All.Select(c => c.Measurement).Concat(ingest.Value.AdditionalMeasurements), StringComparer.Ordinal);
    }

    public RetentionOptions Options { get; }
    public string Database { get; }
    public string EvidencePolicy { get; }
    /// <summary>Off for the v2 write API (a bucket has one retention; see docs/operations.md) or by configuration.</summary>
    public bool Enabled { get; }
    /// <summary>Telemetry measurements the continuous queries roll up.</summary>
    public IReadOnlySet<string> RolledUp { get; }

    public bool IsRaw(string measurement) => _raw.Contains(measurement);

    /// <summary>
    /// The raw points of a measurement. A raw measurement is read from both policies: points written before
    /// routing existed (an upgrade) stay in the evidence policy and remain readable until someone moves them.
    /// </summary>
    public string RawSource(string measurement) => IsRaw(measurement)
        ? $"{InfluxQl.Ident(measurement)}, {InfluxQl.Ident(Options.RawPolicy)}.{InfluxQl.Ident(measurement)}"
        : InfluxQl.Ident(measurement);

    /// <summary>Every measurement's raw points (seq audits, last sample taken).</summary>
    public string AllRawSources => Enabled ? $"/.*/, {InfluxQl.Ident(Options.RawPolicy)}./.*/" : "/.*/";

    /// <summary>Where a part reads <paramref name="measurement"/>.</summary>
    public string Source(string measurement, ReadPart part) => part.Rollup is { } r
        ? $"{InfluxQl.Ident(RollupPolicy(r))}.{InfluxQl.Ident(measurement)}"
        : RawSource(measurement);

    /// <summary>
    /// An aggregate of <paramref name="field"/> over a part's buckets. From a rollup the mean is sum/count, so it equals
    /// the raw mean even when minutes hold different numbers of samples; min and max are exact.
    /// </summary>
    public static string Aggregate(string aggregate, string field, ReadPart part) => part.Rollup is null
        ? $"{aggregate}({InfluxQl.Ident(field)})"
        : aggregate switch
        {
            "mean" => $"sum({InfluxQl.Ident("sum_" + field)}) / sum({InfluxQl.Ident("count_" + field)})",
            "min" or "max" => $"{aggregate}({InfluxQl.Ident(aggregate + "_" + field)})",
            _ => throw new ArgumentException($"no rollup answers {aggregate}", nameof(aggregate)),
        };

    public string RollupPolicy(TimeSpan interval) => interval == Hour ? Options.HourPolicy : Options.MinutePolicy;

    /// <summary>
    /// Splits [from, to) bucketed by <paramref name="every"/> into a rollup part and a raw tail. A rollup answers when
    /// its interval divides <paramref name="every"/> and both ends are on its boundaries (the coarsest
    /// such rollup wins); the buckets after <c>now − interval</c>, which the continuous query may not have reached
    /// yet, come from raw points. The split is on a boundary of <paramref name="every"/>, so no bucket is read twice.
    /// </summary>
    public IReadOnlyList<ReadPart> Plan(string measurement, DateTimeOffset from, DateTimeOffset to, TimeSpan every, DateTimeOffset now, string aggregate = "mean")
    {
        if (!Enabled || !RolledUp.Contains(measurement) || aggregate is not ("mean" or "min" or "max")) return [new ReadPart(from, to, null)];
        foreach (var interval in new[] { Hour, Minute })
        {
            // A rollup point stands for its whole bucket: both ends must be on bucket boundaries.
            if (every.Ticks % interval.Ticks != 0 || from.UtcTicks % interval.Ticks != 0 || to.UtcTicks % interval.Ticks != 0) continue;
            // Buckets epoch-aligned as InfluxDB aligns GROUP BY time (for every ≤ 1 week).
            var ready = now - interval;
            var cutoff = new DateTimeOffset(ready.UtcTicks - (ready.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % every.Ticks, TimeSpan.Zero);
            if (cutoff <= from) break;
            return cutoff >= to ? [new ReadPart(from, to, interval)] : [new ReadPart(from, cutoff, interval), new ReadPart(cutoff, to, null)];
        }
        return [new ReadPart(from, to, null)];
    }

    /// <summary>
    /// Splits line protocol into the lines for the raw policy and the rest (which go to the database's default).
    /// One pass over the UTF-8 bodies; the parts are slices of them, nothing is copied. A raw point older than the raw period (a backlog of
    /// months) goes to the evidence policy instead: InfluxDB would refuse it from the raw policy ("points beyond retention
    /// policy", HTTP 400), which would dead-letter its whole message; reads find it in either policy.
    /// </summary>
    public IReadOnlyList<(string? Policy, IReadOnlyList<ReadOnlyMemory<byte>> Segments)> Route(IReadOnlyList<ReadOnlyMemory<byte>> bodies, DateTimeOffset? now = null)
    {
        if (_raw.Count == 0) return [(null, bodies)];
        // An hour inside the boundary, so a point does not expire between this check and the write.
        var oldestRawNs = Time.ToUnixNanoseconds((now ?? DateTimeOffset.UtcNow) - TimeSpan.FromDays(Options.RawDays) + TimeSpan.FromHours(1));
        // Slices of the bodies, never copies: consecutive lines of one policy stay one segment.
        var raw = new List<ReadOnlyMemory<byte>>();
        var rest = new List<ReadOnlyMemory<byte>>();
        foreach (var body in bodies)
        {
            var span = body.Span;
            int start = 0, runStart = 0;
            bool? runRaw = null;
            while (start < span.Length)
            {
                var nl = span[start..].IndexOf((byte)'\n');
                var end = nl < 0 ? span.Length : start + nl + 1;
                var isRaw = IsRawLine(span[start..end], oldestRawNs);
                if (runRaw is { } r && r != isRaw)
                {
                    (r ? raw : rest).Add(body[runStart..start]);
                    runStart = start;
                }
                runRaw = isRaw;
                start = end;
            }
            if (runRaw is { } last) (last ? raw : rest).Add(body[runStart..]);
        }
        if (raw.Count == 0) return [(null, rest)];
        if (rest.Count == 0) return [(Options.RawPolicy, raw)];
        return [(Options.RawPolicy, raw), (null, rest)];
    }

    private bool IsRawLine(ReadOnlySpan<byte> line, long oldestRawNs)
    {
        // Measurement names are validated ([a-z][a-z0-9_]*, ASCII): no escapes before the first ',' or ' '.
        var cut = line.IndexOfAny((byte)',', (byte)' ');
        if (cut <= 0 || cut > 64) return false;
        Span<char> name = stackalloc char[cut];
        for (var i = 0; i < cut; i++) name[i] = (char)line[i];
        return _rawLookup.Contains(name) && (Options.RawDays <= 0 || TimestampNs(line) >= oldestRawNs);
    }

    /// <summary>The line's timestamp (its last token, ns); a line without one counts as now (InfluxDB stamps it so).</summary>
    private static long TimestampNs(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd("\r\n "u8);
        var space = line.LastIndexOf((byte)' ');
        return space > 0 && System.Buffers.Text.Utf8Parser.TryParse(line[(space + 1)..], out long t, out var used) && used == line.Length - space - 1 ? t : long.MaxValue;
    }
}
