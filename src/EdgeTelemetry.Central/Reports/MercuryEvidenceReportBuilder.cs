using EdgeTelemetry.Model;
using System.Globalization;
using EdgeTelemetry.Central.Apis;
using EdgeTelemetry.Central.Batches;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Central.Localization;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Reports;

/// <summary>Gathers a <see cref="MercuryEvidenceReport"/> from InfluxDB (docs/data-model.md) for one site and period.</summary>
public sealed class MercuryEvidenceReportBuilder(
    InfluxQueryClient influx, ProcessBatchStore batches, GravityCircuitHours circuit, IOptions<ApiOptions> options, TimeProvider clock, RetentionLayout layout, ReportWords words)
{
    private const int ChunkSize = 10_000;

    public async Task<MercuryEvidenceReport> BuildAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var o = options.Value;
        var generatedAt = clock.GetUtcNow();
        var until = to < generatedAt ? to : generatedAt < from ? from : generatedAt;
        var actionLevel = o.ActionLevelFor(site);
        var references = ReferenceValues.For(actionLevel).Select(words.Translate).ToList();
        var gapThreshold = TimeSpan.FromSeconds(o.GapThresholdSeconds);
        var inSite = InfluxQl.TagEquals("site", site);

        // Every monitor the site ever had, so one that was silent all period shows 0 % instead of vanishing.
        var known = await influx.QuerySeriesAsync($"SELECT last(hg) FROM mercury_vapour WHERE {inSite} GROUP BY device, equipment", ct);
        var monitors = known.Select(s => (Device: s.Tag("device") ?? "", Equipment: s.Tag("equipment") ?? ""))
            .OrderBy(m => m.Device, StringComparer.Ordinal).ThenBy(m => m.Equipment, StringComparer.Ordinal).ToList();

        var readings = monitors.ToDictionary(m => m, _ => new MonitorReadings());
        if (until > from)
        {
            var q = $"SELECT hg, clock_corrected, clock_uncertain, clock_skew, {PointFlags.Signed} FROM mercury_vapour WHERE {inSite} AND {InfluxQl.Period(from, until)} GROUP BY device, equipment";
            await foreach (var piece in influx.StreamAsync(q, ChunkSize, ct))
            {
                var key = (piece.Tag("device") ?? "", piece.Tag("equipment") ?? "");
                if (!readings.TryGetValue(key, out var r)) continue;
                r.Add(piece);
            }
        }

        var evidence = monitors.Select(m => Evidence(m.Device, m.Equipment, readings[m], from, until, gapThreshold, references, actionLevel)).ToList();
        var hasData = evidence.Any(e => e.ValidReadings > 0);
        var integrity = await IntegrityAsync(site, monitors.Select(m => m.Device).Distinct().ToList(), from, until, ct);
        var operating = until > from ? await circuit.ForSiteAsync(site, from, until, ct) : [];
        var batchList = (await batches.ListAsync(site, null, from, to, ct)).Select(b => BatchView.Of(b, words)).ToList();

        var report = new MercuryEvidenceReport(site, from, to, until, generatedAt, o.GapThresholdSeconds, actionLevel, references,
            hasData, Summary(site, from, to, until, evidence, hasData), evidence, operating, batchList, integrity, [], Method(o));
        return report with { NotVouchedFor = MercuryEvidenceCaveats.For(report, words) };
    }

    private static MonitorEvidence Evidence(string device, string equipment, MonitorReadings r, DateTimeOffset from, DateTimeOffset until,
        TimeSpan gapThreshold, IReadOnlyList<ReferenceValue> references, double actionLevel)
    {
        r.Valid.Sort((a, b) => a.TimeNs.CompareTo(b.TimeNs));
        var timeline = new MercuryTimeline(r.Valid, from, until, gapThreshold);
        var above = references.Select(x =>
        {
            var seconds = timeline.SecondsAbove(x.UgM3);
            return new TimeAbove(x.Id, x.UgM3, seconds, timeline.CoveredSeconds > 0 ? seconds / timeline.CoveredSeconds * 100 : 0);
        }).ToList();
        return new MonitorEvidence(device, equipment, r.Valid.Count, timeline.CoveragePct, timeline.CoveredSeconds, timeline.Gaps,
            ConcentrationStatistics.Of(r.Valid), r.Valid.Count > 0 ? above : [], timeline.ExceedancesAbove(actionLevel),
            r.ClockCorrected, r.ClockUncertain, r.ClockSkew, r.Signed);
    }

    private async Task<DataIntegrity> IntegrityAsync(string site, IReadOnlyList<string> devices, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        var inSite = InfluxQl.TagEquals("site", site);
        var period = InfluxQl.Period(from, until);
        var audits = devices.ToDictionary(d => d, _ => new SequenceAudit());
        if (devices.Count > 0 && until > from)
        {
            // All of a device's measurements share its sequence numbers, so gaps are found across all of them.
            var anyDevice = string.Join(" OR ", devices.Select(d => InfluxQl.TagEquals("device", d)));
            await foreach (var piece in influx.StreamAsync($"SELECT seq FROM {layout.AllRawSources} WHERE {inSite} AND ({anyDevice}) AND {period} GROUP BY device", ChunkSize, ct))
            {
                if (piece.Name == "rejects" || !audits.TryGetValue(piece.Tag("device") ?? "", out var audit)) continue;
                foreach (var row in piece.Rows)
                    if (InfluxValue.Long(row[0]) is { } t && InfluxValue.Long(row[1]) is { } seq) audit.Add(t, seq);
            }
        }
        var r = await influx.QueryAsync(string.Join(";\n",
            $"SELECT sum(duplicates), sum(evicted) FROM delivery WHERE {inSite} AND {period} GROUP BY device",
            $"SELECT count(detail) FROM rejects WHERE {inSite} AND {period} GROUP BY device, reason",
            $"SELECT count(clock_ok) FROM agent_health WHERE {inSite} AND {period} AND clock_ok < 0.5 GROUP BY device"), ct);
        long Sum(IReadOnlyList<InfluxSeries> list, string device, int column) =>
            list.Where(s => s.Tag("device") == device && s.Rows.Count > 0).Sum(s => InfluxValue.Long(s.Rows[0][column]) ?? 0);
        var perDevice = devices.Select(d =>
        {
            var (samples, missing, restarts) = audits[d].Result();
            var conflicts = r[1].Where(s => s.Tag("device") == d && s.Tag("reason") == "conflicting_replay" && s.Rows.Count > 0).Sum(s => InfluxValue.Long(s.Rows[0][1]) ?? 0);
            return new DeviceIntegrity(d, samples, missing, restarts, Sum(r[0], d, 1), Sum(r[0], d, 2), Sum(r[2], d, 1), conflicts);
        }).ToList();
        var rejected = r[1].Where(s => s.Rows.Count > 0)
            .Select(s => new RejectCount(s.Tag("device") ?? "", s.Tag("reason") ?? "", InfluxValue.Long(s.Rows[0][1]) ?? 0))
            .OrderBy(x => x.Device, StringComparer.Ordinal).ThenBy(x => x.Reason, StringComparer.Ordinal).ToList();
        return new DataIntegrity(perDevice, rejected);
    }

    private string Summary(string site, DateTimeOffset from, DateTimeOffset to, DateTimeOffset until,
        IReadOnlyList<MonitorEvidence> evidence, bool hasData)
    {
        var period = words.Period(from, to);
        if (until <= from) return words.Format("summary.notBegun", period, site);
        if (evidence.Count == 0) return words.Format("summary.noMonitor", period, site);
        if (!hasData) return words.Format("summary.noReadings", period, site);
        var covered = string.Join("; ", evidence.Select(e => words.Format("summary.coveredItem", e.Device, e.Equipment, e.CoveragePct.ToString("0.#", words.Culture))));
        return words.Format("summary.covered", evidence.Count, site, period, covered);
    }

    private IReadOnlyList<string> Method(ApiOptions o) =>
    [
        words["method.units"],
        words["method.rawOnly"],
        words.Format("method.gaps", o.GapThresholdSeconds.ToString(words.Culture)),
        words["method.timeAbove"],
        words["method.statistics"],
        words["method.references"],
        words["method.clock"],
        words["method.integrity"],
    ];

    private sealed class MonitorReadings
    {
        public readonly List<HgReading> Valid = [];
        public long ClockCorrected, ClockUncertain, ClockSkew, Signed;

        public void Add(InfluxSeries piece)
        {
            int hg = piece.Column("hg"), corrected = piece.Column("clock_corrected"), uncertain = piece.Column("clock_uncertain"), skew = piece.Column("clock_skew"),
                signed = piece.Column(PointFlags.Signed);
            foreach (var row in piece.Rows)
            {
                if (InfluxValue.Double(row[hg]) is not { } value || !double.IsFinite(value)) continue;
                if (uncertain >= 0 && InfluxValue.Double(row[uncertain]) is >= 0.5)
                {
                    ClockUncertain++;
                    continue;
                }
                if (corrected >= 0 && InfluxValue.Double(row[corrected]) is >= 0.5) ClockCorrected++;
                if (skew >= 0 && row[skew] is not null) ClockSkew++;
                if (signed >= 0 && InfluxValue.Bool(row[signed]) is true) Signed++;
                Valid.Add(new HgReading(InfluxValue.Long(row[0]) ?? 0, value));
            }
        }
    }
}
