using System.Globalization;

namespace EdgeTelemetry.Central.Reports;

/// <summary>Turns what the report found wanting into plain statements, so a reader never has to infer it from a table.</summary>
public static class MercuryEvidenceCaveats
{
    public static IReadOnlyList<string> For(MercuryEvidenceReport r)
    {
        var notes = new List<string>();
        if (!r.HasData) notes.Add(r.Summary);
        if (r.EvidenceUntil < r.To)
            notes.Add($"The period ends after this report was generated; nothing is claimed after {Stamp(r.EvidenceUntil)}.");
        foreach (var m in r.Monitors)
        {
            var who = $"{m.Device} ({m.Equipment})";
            if (m.Gaps.Count > 0)
                notes.Add($"{who}: {m.Gaps.Count} gap(s) without valid readings, {Duration(m.Gaps.Sum(g => g.Seconds))} in total; coverage {Pct(m.CoveragePct)} %.");
            if (m.ClockUncertainExcluded > 0)
                notes.Add($"{who}: {m.ClockUncertainExcluded} reading(s) left out because the device could not vouch for their time (clock_uncertain).");
            if (m.ClockCorrected > 0)
                notes.Add($"{who}: {m.ClockCorrected} reading(s) re-dated from the device's monotonic clock after its clock became trustworthy (clock_corrected).");
            if (m.ClockSkewFlagged > 0)
                notes.Add($"{who}: {m.ClockSkewFlagged} reading(s) arrived from a device clock far from the central service's (clock_skew).");
            foreach (var e in m.Exceedances.Where(e => e.MayBeLonger))
                notes.Add($"{who}: the exceedance starting {Stamp(e.Start)} touches a gap or the period's edge and may have lasted longer than {Duration(e.DurationSeconds)}.");
        }
        foreach (var d in r.Integrity.Devices)
        {
            if (d.MissingBySequence > 0)
                notes.Add($"{d.Device}: {d.MissingBySequence} sample(s) missing by sequence number (taken on the device, never stored).");
            if (d.SequenceRestarts > 0)
                notes.Add($"{d.Device}: the sequence restarted {d.SequenceRestarts} time(s) (new buffer or re-dated samples); losses at a restart cannot be counted.");
            if (d.EvictedOnDevice > 0)
                notes.Add($"{d.Device}: {d.EvictedOnDevice} sample(s) evicted on the device when its buffer was full.");
            if (d.UntrustedClockReports > 0)
                notes.Add($"{d.Device}: {d.UntrustedClockReports} health report(s) said the device clock was not trustworthy.");
        }
        foreach (var x in r.Integrity.Rejected)
            notes.Add($"{x.Device}: {x.Count} message(s) or sample(s) rejected ({x.Reason}).");
        return notes;
    }

    public static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Pct(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{t.Minutes} min {t.Seconds} s" : $"{t.Seconds} s";
    }
}
