using EdgeTelemetry.Central.Localization;

namespace EdgeTelemetry.Central.Reports;

/// <summary>Turns what the report found wanting into plain statements, so a reader never has to infer it from a table.</summary>
public static class MercuryEvidenceCaveats
{
    public static IReadOnlyList<string> For(MercuryEvidenceReport r, ReportWords w)
    {
        var notes = new List<string>();
        if (!r.HasData) notes.Add(r.Summary);
        if (r.EvidenceUntil < r.To)
            notes.Add(w.Format("caveat.periodEnds", w.Stamp(r.EvidenceUntil)));
        foreach (var m in r.Monitors)
        {
            var who = $"{m.Device} ({m.Equipment})";
            if (m.Gaps.Count > 0)
                notes.Add(w.Format("caveat.gaps", who, m.Gaps.Count, Duration(m.Gaps.Sum(g => g.Seconds)), w.Pct(m.CoveragePct)));
            if (m.ClockUncertainExcluded > 0)
                notes.Add(w.Format("caveat.clockUncertain", who, m.ClockUncertainExcluded));
            if (m.ClockCorrected > 0)
                notes.Add(w.Format("caveat.clockCorrected", who, m.ClockCorrected));
            if (m.ClockSkewFlagged > 0)
                notes.Add(w.Format("caveat.clockSkew", who, m.ClockSkewFlagged));
            if (m.UnsignedReadings > 0)
                notes.Add(w.Format("caveat.unsigned", who, m.UnsignedReadings, m.ValidReadings, w.Pct(100 - m.SignedPct)));
            foreach (var e in m.Exceedances.Where(e => e.MayBeLonger))
                notes.Add(w.Format("caveat.mayBeLonger", who, w.Stamp(e.Start), Duration(e.DurationSeconds)));
        }
        foreach (var d in r.Integrity.Devices)
        {
            if (d.MissingBySequence > 0)
                notes.Add(w.Format("caveat.missing", d.Device, d.MissingBySequence));
            if (d.SequenceRestarts > 0)
                notes.Add(w.Format("caveat.restarts", d.Device, d.SequenceRestarts));
            if (d.EvictedOnDevice > 0)
                notes.Add(w.Format("caveat.evicted", d.Device, d.EvictedOnDevice));
            if (d.UntrustedClockReports > 0)
                notes.Add(w.Format("caveat.untrustedClock", d.Device, d.UntrustedClockReports));
            if (d.ConflictingReplays > 0)
                notes.Add(w.Format("caveat.conflictingReplay", d.Device, d.ConflictingReplays));
        }
        foreach (var x in r.Integrity.Rejected)
            notes.Add(w.Format("caveat.rejected", x.Device, x.Count, w.Reason(x.Reason)));
        return notes;
    }

    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{t.Minutes} min {t.Seconds} s" : $"{t.Seconds} s";
    }
}
