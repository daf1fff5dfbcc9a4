using System.Globalization;
using System.Text;
using EdgeTelemetry.Central.Batches;
using EdgeTelemetry.Central.Reports;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Central.Export;

/// <summary>What to export: one equipment's channels, averaged over <see cref="Every"/>.</summary>
public sealed record ExportRequest(string Site, string Equipment, DateTimeOffset From, DateTimeOffset To, TimeSpan Every,
    IReadOnlyList<ExportChannel> Channels, IReadOnlyList<ProcessBatch>? Batches)
{
    /// <summary><c># </c> lines written before the header row (<see cref="ExportNotes"/>); none with <c>notes=false</c>.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Streams time-aligned CSV: one row per interval of <c>every</c> that has data, time = the
/// interval's start (UTC), each channel the mean over the interval, blank where it had no sample.
/// One chunked InfluxDB query per measurement, merged by time as they arrive, so memory holds one
/// chunk per measurement whatever the range. Joined with batches, a row carries the batch whose
/// [start, end) holds the row's time.
/// </summary>
public sealed class ResearcherExport(InfluxQueryClient influx, RetentionLayout layout, TimeProvider clock)
{
    private const int ChunkSize = 5000;

    public async Task<long> WriteCsvAsync(ExportRequest r, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 64 * 1024);
        var header = new StringBuilder();
        foreach (var note in r.Notes) header.Append(note).Append('\n');
        header.Append("time");
        foreach (var c in r.Channels) header.Append(',').Append(MercuryReportCsv.Csv(c.Header));
        if (r.Batches is not null) header.Append(",batch_id,batch_recovery [%]");
        await writer.WriteAsync(header.Append('\n').ToString());
        await writer.FlushAsync(ct); // headers and the header row go out before the first query returns

        var measurements = r.Channels.Select(c => c.Measurement).Distinct().ToList();
        var streams = measurements.Select(m => Buckets(r, m, ct).GetAsyncEnumerator(ct)).ToList();
        var offsets = measurements.Select(m => r.Channels.Select((c, i) => (c, i)).Where(x => x.c.Measurement == m).Select(x => x.i).ToArray()).ToList();
        var heads = new (long Time, double?[] Values)?[streams.Count];
        try
        {
            for (var i = 0; i < streams.Count; i++) heads[i] = await streams[i].MoveNextAsync() ? streams[i].Current : null;
            var row = new StringBuilder(256);
            var values = new double?[r.Channels.Count];
            long rows = 0;
            while (heads.Any(h => h is not null))
            {
                var t = heads.Where(h => h is not null).Min(h => h!.Value.Time);
                Array.Clear(values);
                for (var i = 0; i < streams.Count; i++)
                {
                    if (heads[i] is not { } head || head.Time != t) continue;
                    for (var k = 0; k < offsets[i].Length; k++) values[offsets[i][k]] = head.Values[k];
                    heads[i] = await streams[i].MoveNextAsync() ? streams[i].Current : null;
                }
                row.Clear().Append(Time.FromUnixNanoseconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                foreach (var v in values)
                {
                    row.Append(',');
                    if (v is { } d) row.Append(d.ToString("G10", CultureInfo.InvariantCulture));
                }
                if (r.Batches is not null) AppendBatch(row, r.Batches, Time.FromUnixNanoseconds(t));
                await writer.WriteAsync(row.Append('\n').ToString());
                rows++;
            }
            return rows;
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
        }
    }

    private async IAsyncEnumerable<(long Time, double?[] Values)> Buckets(ExportRequest r, string measurement,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var fields = r.Channels.Where(c => c.Measurement == measurement).Select(c => c.Field).ToList();
        // A rollup where the buckets are whole rollup buckets (a year at every=1h reads 8760 points per series, not 31 million).
        foreach (var part in layout.Plan(measurement, r.From, r.To, r.Every, clock.GetUtcNow()))
        {
            var q = $"SELECT {string.Join(", ", fields.Select(f => $"{RetentionLayout.Aggregate("mean", f, part)} AS {InfluxQl.Ident(f)}"))} FROM {layout.Source(measurement, part)} " +
                    $"WHERE {InfluxQl.TagEquals("site", r.Site)} AND {InfluxQl.TagEquals("equipment", r.Equipment)} AND {InfluxQl.Period(part.From, part.To)} " +
                    $"GROUP BY time({InfluxQl.Duration(r.Every)}) fill(none)";
            await foreach (var piece in influx.StreamAsync(q, ChunkSize, ct))
            {
                var columns = fields.Select(piece.Column).ToArray();
                foreach (var row in piece.Rows)
                    yield return (InfluxValue.Long(row[0]) ?? 0, columns.Select(c => c >= 0 ? InfluxValue.Double(row[c]) : null).ToArray());
            }
        }
    }

    private static void AppendBatch(StringBuilder row, IReadOnlyList<ProcessBatch> batches, DateTimeOffset t)
    {
        // Batches are sorted by start: the last one starting at or before t is the only candidate.
        int lo = 0, hi = batches.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (batches[mid].Start <= t) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found >= 0 && t < batches[found].End)
        {
            row.Append(',').Append(batches[found].Id).Append(',');
            if (batches[found].Recovery.RecoveryPct is { } pct) row.Append(pct.ToString("G10", CultureInfo.InvariantCulture));
        }
        else
        {
            row.Append(",,");
        }
    }
}
