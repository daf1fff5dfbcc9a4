using System.Globalization;
using System.Text;

namespace EdgeTelemetry.Central.Reports;

/// <summary>
/// The report as one long table (section, device, equipment, item, value, unit, start, end), so a
/// spreadsheet can filter it; every number has its unit in its own column.
/// </summary>
public static class MercuryReportCsv
{
    public const string Header = "section,device,equipment,item,value,unit,start,end";

    public static string Render(MercuryEvidenceReport r)
    {
        var sb = new StringBuilder().Append(Header).Append('\n');
        void Row(string section, string device, string equipment, string item, object? value, string unit, DateTimeOffset? start = null, DateTimeOffset? end = null) =>
            sb.Append(Csv(section)).Append(',').Append(Csv(device)).Append(',').Append(Csv(equipment)).Append(',').Append(Csv(item)).Append(',')
              .Append(Csv(Value(value))).Append(',').Append(Csv(unit)).Append(',').Append(Csv(Time(start))).Append(',').Append(Csv(Time(end))).Append('\n');

        Row("report", "", "", "site", r.Site, "", r.From, r.To);
        Row("report", "", "", "generated_at", Time(r.GeneratedAt), "");
        Row("report", "", "", "has_data", r.HasData ? "true" : "false", "");
        Row("report", "", "", "summary", r.Summary, "");
        Row("report", "", "", "gap_threshold", r.GapThresholdSeconds, "s");
        foreach (var x in r.References) Row("reference", "", "", x.Id, x.UgM3, "ug/m3");
        foreach (var m in r.Monitors)
        {
            Row("monitor", m.Device, m.Equipment, "valid_readings", m.ValidReadings, "count");
            Row("monitor", m.Device, m.Equipment, "signed_readings", m.SignedReadings, "count");
            Row("monitor", m.Device, m.Equipment, "unsigned_readings", m.UnsignedReadings, "count");
            Row("monitor", m.Device, m.Equipment, "coverage", m.CoveragePct, "%");
            if (m.Statistics is { } s)
            {
                Row("monitor", m.Device, m.Equipment, "mean", s.MeanUgM3, "ug/m3");
                Row("monitor", m.Device, m.Equipment, "median", s.MedianUgM3, "ug/m3");
                Row("monitor", m.Device, m.Equipment, "p95", s.P95UgM3, "ug/m3");
                Row("monitor", m.Device, m.Equipment, "max", s.MaxUgM3, "ug/m3", s.MaxAt);
            }
            foreach (var a in m.TimeAbove) Row("time_above", m.Device, m.Equipment, a.Reference, a.Seconds, "s");
            foreach (var g in m.Gaps) Row("gap", m.Device, m.Equipment, "gap", g.Seconds, "s", g.Start, g.End);
            foreach (var e in m.Exceedances)
                Row("exceedance", m.Device, m.Equipment, e.MayBeLonger ? "above_action_level_may_be_longer" : "above_action_level", e.DurationSeconds, "s", e.Start, e.End);
        }
        foreach (var h in r.GravityCircuit) Row("operating", "", h.Equipment, h.Kind, h.Hours, "h");
        foreach (var b in r.Batches)
        {
            Row("batch", "", b.Batch.Equipment, b.Id + " recovery", b.Batch.Recovery.RecoveryPct, "%", b.Batch.Start, b.Batch.End);
        }
        foreach (var d in r.Integrity.Devices)
        {
            Row("integrity", d.Device, "", "missing_by_sequence", d.MissingBySequence, "count");
            Row("integrity", d.Device, "", "sequence_restarts", d.SequenceRestarts, "count");
            Row("integrity", d.Device, "", "duplicates_received", d.DuplicatesReceived, "count");
            Row("integrity", d.Device, "", "evicted_on_device", d.EvictedOnDevice, "count");
            Row("integrity", d.Device, "", "untrusted_clock_reports", d.UntrustedClockReports, "count");
            Row("integrity", d.Device, "", "conflicting_replays", d.ConflictingReplays, "count");
        }
        foreach (var x in r.Integrity.Rejected) Row("rejected", x.Device, "", x.Reason, x.Count, "count");
        foreach (var note in r.NotVouchedFor) Row("not_vouched_for", "", "", note, null, "");
        return sb.ToString();
    }

    private static string Value(object? v) => v switch
    {
        null => "",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Time(DateTimeOffset? t) => t is { } x ? x.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : "";

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.</summary>
    public static string Csv(string s)
    {
        if (s.Length > 0 && "=+-@".Contains(s[0]) && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
