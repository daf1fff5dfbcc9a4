using System.Net;
using System.Text.Json;
using EdgeTelemetry.LineProtocol;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Reports;

/// <summary>
/// The mercury report over an hour of known readings (10:00–11:00, gap threshold 300 s, site
/// action level 10 µg/m³). Monitor hg-monitor-01, one reading a minute:
///   10:00–10:19  0.1 (20 readings, seq 1–20)
///   10:20–10:24  20, 25, 30, 35, 40 (seq 21–25)
///   10:25–10:29  0.5 (seq 26–30)
///   10:35        99 with clock_uncertain = 1 (seq 31): left out
///   10:40–10:59  2 (seq 40–59: 32–39 never arrived); 10:45 carries clock_corrected = 1
/// Monitor hg-monitor-02 read only at 09:00, before the period.
/// </summary>
[Collection(InfluxCollection.Name)]
public class MercuryReportApiTests(InfluxFixture influx) : IAsyncLifetime
{
    private const string Url = "/api/reports/mercury?site=md-test&from=2026-03-03T10:00:00Z&to=2026-03-03T11:00:00Z";
    private static readonly DateTimeOffset T0 = At("2026-03-03T10:00:00Z");
    private CentralHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await CentralHost.StartAsync(influx.Server);
        var points = new List<Point>();
        void Hg(int minute, double value, long seq, params (string, double)[] flags) =>
            points.Add(Telemetry("mercury_vapour", "hg-monitor-01", "smelting-area", T0.AddMinutes(minute), seq, [("hg", value), .. flags]));
        for (var m = 0; m < 20; m++) Hg(m, 0.1, m + 1);
        double[] spike = [20, 25, 30, 35, 40];
        for (var m = 20; m < 25; m++) Hg(m, spike[m - 20], m + 1);
        for (var m = 25; m < 30; m++) Hg(m, 0.5, m + 1);
        Hg(35, 99, 31, ("clock_uncertain", 1));
        for (var m = 40; m < 60; m++)
        {
            if (m == 45) Hg(m, 2, m, ("clock_corrected", 1));
            else Hg(m, 2, m);
            points[^1].Field(EdgeTelemetry.Model.PointFlags.Signed, true); // from batches whose device signature verified
        }
        points.Add(Telemetry("mercury_vapour", "hg-monitor-02", "processing-area", At("2026-03-03T09:00:00Z"), 1, ("hg", 0.3)));
        // Centrifuge at speed for 45 of 60 minutes; table stroking for the 30 minutes it reported.
        for (var m = 0; m < 60; m++)
            points.Add(Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T0.AddMinutes(m), 1000 + m, ("bowl_speed", m < 45 ? 400 : 0)));
        for (var m = 0; m < 30; m++)
            points.Add(Telemetry("shaking_table", "table-01", "wilfley-1", T0.AddMinutes(m), 2000 + m, ("stroke_rate", 285)));
        points.Add(Health(T0.AddSeconds(330), clockOk: 0));
        points.Add(Health(T0.AddSeconds(390), clockOk: 1));
        await _host.WriteAsync(points);
        await _host.WriteAsync($"""
            delivery,site=md-test,device=hg-monitor-01,stream=s1 ranges="40-59",count=20i,duplicates=3i,evicted=0i {Ns(T0.AddMinutes(50))}
            delivery,site=md-test,device=hg-monitor-01,stream=s1 ranges="1-30",count=30i,duplicates=100i,evicted=0i {Ns(T0.AddMinutes(90))}
            rejects,site=md-test,device=hg-monitor-01,reason=unit_mismatch topic="t",detail="hg in ppm",seq=70i {Ns(T0.AddMinutes(10))}
            rejects,site=md-test,device=hg-monitor-01,reason=unit_mismatch topic="t",detail="hg in ppm",seq=71i {Ns(T0.AddMinutes(11))}
            rejects,site=md-test,device=hg-monitor-01,reason=malformed_json topic="t",detail="not JSON" {Ns(T0.AddMinutes(12))}
            rejects,site=md-other,device=hg-monitor-09,reason=malformed_json topic="t",detail="not JSON" {Ns(T0.AddMinutes(12))}
            process_batch,equipment=icon-i150-1,site=md-test batch_id="md-test.icon-i150-1.20260303T100000Z",end_ns={Ns(T0.AddMinutes(50))}i,feed_mass_kg=1200,feed_grade_gpt=12,concentrate_mass_kg=9.6,concentrate_grade_gpt=1200,recovery_pct=80,recovery_method="mass_balance" {Ns(T0)}
            """);
    }

    private static Point Health(DateTimeOffset t, double clockOk) =>
        new Point("agent_health", Ns(t)).Tag("site", "md-test").Tag("device", "hg-monitor-01").Tag("equipment", "agent")
            .Field("backlog", 0.0).Field("clock_ok", clockOk);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> Report(string url = Url)
    {
        var (status, body) = await _host.Client("technician").GetJsonAsync(url);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static JsonElement Monitor(JsonElement report, string device) =>
        report.GetProperty("monitors").EnumerateArray().Single(m => m.Str("device") == device);

    [Fact]
    public async Task Coverage_counts_every_stretch_outside_gaps_and_lists_the_gap()
    {
        var a = Monitor(await Report(), "hg-monitor-01");

        // 10:29 → 10:40 is 660 s > 300 s: a gap. Covered = 3600 − 660 = 2940 s → 2940 / 3600 = 81.6667 %
        Assert.Equal(50, a.Num("validReadings"));
        Assert.Equal(2940, a.Num("coveredSeconds"), 6);
        Assert.Equal(81.6667, a.Num("coveragePct"), 3);
        var gap = Assert.Single(a.GetProperty("gaps").EnumerateArray());
        Assert.Equal(T0.AddMinutes(29), gap.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(T0.AddMinutes(40), gap.GetProperty("end").GetDateTimeOffset());
        Assert.Equal(660, gap.Num("seconds"), 6);
    }

    [Fact]
    public async Task Statistics_are_over_valid_readings_with_the_uncertain_one_left_out()
    {
        var s = Monitor(await Report(), "hg-monitor-01").GetProperty("statistics");

        // mean = (20 × 0.1 + (20 + 25 + 30 + 35 + 40) + 5 × 0.5 + 20 × 2) / 50 = (2 + 150 + 2.5 + 40) / 50 = 3.89
        // sorted: [0..19] 0.1, [20..24] 0.5, [25..44] 2, [45..49] 20, 25, 30, 35, 40
        // median: h = 49 × 0.5 = 24.5 → 0.5 + 0.5 × (2 − 0.5) = 1.25
        // p95:    h = 49 × 0.95 = 46.55 → 25 + 0.55 × (30 − 25) = 27.75; max 40 at 10:24 (the 99 is clock_uncertain)
        Assert.Equal(50, s.Num("count"));
        Assert.Equal(3.89, s.Num("meanUgM3"), 9);
        Assert.Equal(1.25, s.Num("medianUgM3"), 9);
        Assert.Equal(27.75, s.Num("p95UgM3"), 9);
        Assert.Equal(40, s.Num("maxUgM3"));
        Assert.Equal(T0.AddMinutes(24), s.GetProperty("maxAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Time_above_each_reference_value_and_the_exceedance_event_match_hand_counts()
    {
        var a = Monitor(await Report(), "hg-monitor-01");
        var above = a.GetProperty("timeAbove").EnumerateArray().ToDictionary(x => x.Str("reference")!, x => x.Num("seconds"));

        // Each reading stands for 60 s, except 10:29 (a gap follows it: 0 s).
        // > 0.2 (ATSDR): 5 spike + 4 × 0.5 + 20 × 2 → (5 + 4 + 20) × 60 = 1740 s
        // > 1 (WHO): 5 spike + 20 × 2 → 25 × 60 = 1500 s;  > 10 (site): 5 × 60 = 300 s;  > 25 (ACGIH): 30, 35, 40 → 180 s
        Assert.Equal(1740, above["atsdr_mrl"], 6);
        Assert.Equal(1500, above["who_guideline"], 6);
        Assert.Equal(300, above["site_action_level"], 6);
        Assert.Equal(180, above["acgih_tlv"], 6);
        var e = Assert.Single(a.GetProperty("exceedances").EnumerateArray());
        Assert.Equal((T0.AddMinutes(20), T0.AddMinutes(25)), (e.GetProperty("start").GetDateTimeOffset(), e.GetProperty("end").GetDateTimeOffset()));
        Assert.Equal(300, e.Num("durationSeconds"), 6);
        Assert.Equal(40, e.Num("peakUgM3"));
        Assert.False(e.GetProperty("mayBeLonger").GetBoolean());
    }

    [Fact]
    public async Task A_silent_monitor_shows_zero_coverage_and_no_statistics_instead_of_zeros()
    {
        var b = Monitor(await Report(), "hg-monitor-02");

        Assert.Equal(0, b.Num("validReadings"));
        Assert.Equal(0, b.Num("coveragePct"));
        Assert.Equal(3600, Assert.Single(b.GetProperty("gaps").EnumerateArray()).Num("seconds"), 6);
        Assert.True(b.IsNull("statistics"));
        Assert.Equal(0, b.GetProperty("timeAbove").GetArrayLength());
    }

    [Fact]
    public async Task Integrity_section_counts_sequence_gaps_duplicates_clock_flags_and_rejects()
    {
        var report = await Report();
        var a = Monitor(report, "hg-monitor-01");
        var d = report.GetProperty("integrity").GetProperty("devices").EnumerateArray().Single(x => x.Str("device") == "hg-monitor-01");
        var rejected = report.GetProperty("integrity").GetProperty("rejected").EnumerateArray()
            .Select(x => (x.Str("device"), x.Str("reason"), x.Num("count"))).ToList();

        Assert.Equal(1, a.Num("clockCorrected"));
        Assert.Equal(1, a.Num("clockUncertainExcluded"));
        Assert.Equal((50.0, 20.0, 30.0, 40.0), (a.Num("validReadings"), a.Num("signedReadings"), a.Num("unsignedReadings"), a.Num("signedPct")));
        Assert.Equal(51, d.Num("samplesInPeriod"));        // 50 valid + the uncertain one
        Assert.Equal(8, d.Num("missingBySequence"));       // 31 → 40: seq 32…39
        Assert.Equal(0, d.Num("sequenceRestarts"));
        Assert.Equal(3, d.Num("duplicatesReceived"));      // the 100 arrived after the period
        Assert.Equal(1, d.Num("untrustedClockReports"));
        Assert.Equal([("hg-monitor-01", "malformed_json", 1.0), ("hg-monitor-01", "unit_mismatch", 2.0)], rejected);
        var notes = report.GetProperty("notVouchedFor").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notes, n => n.Contains("hg-monitor-01: 8 sample(s) missing by sequence number"));
        Assert.Contains(notes, n => n.Contains("hg-monitor-02 (processing-area): 1 gap(s)") && n.Contains("1 h 0 min"));
        Assert.Contains(notes, n => n.Contains("left out because the device could not vouch for their time"));
        Assert.Contains(notes, n => n.StartsWith("hg-monitor-01 (smelting-area): 30 of 50 readings (60 %) did not come in batches verified with the device's enrolled key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gravity_circuit_hours_and_batches_of_the_period_are_included()
    {
        var report = await Report();
        var hours = report.GetProperty("gravityCircuit").EnumerateArray().ToDictionary(h => h.Str("equipment")!);

        // centrifuge: 45 minutes with mean bowl speed ≥ 60 rpm → 0.75 h of 60 minutes with data (1 h)
        // table: 30 minutes ≥ 30 spm → 0.5 h of 0.5 h
        Assert.Equal(0.75, hours["icon-i150-1"].Num("hours"), 9);
        Assert.Equal(1.0, hours["icon-i150-1"].Num("hoursWithData"), 9);
        Assert.Equal(0.5, hours["wilfley-1"].Num("hours"), 9);
        var batch = Assert.Single(report.GetProperty("batches").EnumerateArray());
        Assert.Equal(80, batch.GetProperty("batch").GetProperty("recovery").Num("recoveryPct"), 9);
    }

    [Fact]
    public async Task A_period_without_readings_says_so_instead_of_showing_zeros()
    {
        var report = await Report("/api/reports/mercury?site=md-test&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z");
        var (_, empty) = await _host.Client("technician").GetJsonAsync("/api/reports/mercury?site=md-nothing&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z");
        var html = await _host.Client("technician").GetStringAsync("/api/reports/mercury?site=md-test&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z&format=html");

        Assert.False(report.GetProperty("hasData").GetBoolean());
        Assert.StartsWith("No valid mercury readings from site md-test", report.Str("summary"));
        Assert.All(report.GetProperty("monitors").EnumerateArray(), m => Assert.True(m.IsNull("statistics")));
        Assert.StartsWith("No mercury monitor has ever reported from site md-nothing", empty.Str("summary"));
        Assert.Contains("No valid mercury readings from site md-test", html);
    }

    [Fact]
    public async Task Csv_form_is_one_long_table_with_units()
    {
        using var response = await _host.Client("technician").GetAsync(Url + "&format=csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("section,device,equipment,item,value,unit,start,end", lines[0]);
        Assert.Contains("monitor,hg-monitor-01,smelting-area,coverage,81.666667,%,,", lines);
        Assert.Contains("monitor,hg-monitor-01,smelting-area,p95,27.75,ug/m3,,", lines);
        Assert.Contains("gap,hg-monitor-01,smelting-area,gap,660,s,2026-03-03T10:29:00Z,2026-03-03T10:40:00Z", lines);
        Assert.Contains("time_above,hg-monitor-01,smelting-area,acgih_tlv,180,s,,", lines);
        Assert.All(lines, l => Assert.True(l.StartsWith('"') || l.Count(c => c == ',') >= 7, l));
    }

    [Fact]
    public async Task Html_form_prints_on_a4_and_states_period_site_generation_time_and_caveats()
    {
        using var response = await _host.Client("technician").GetAsync(Url + "&format=html");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("@page { size: A4;", html);
        Assert.Contains("<td>md-test</td>", html);
        Assert.Contains("2026-03-03 10:00:00 UTC – 2026-03-03 11:00:00 UTC", html);
        Assert.Contains("<b>Generated</b>", html);
        Assert.Contains("Data this report cannot vouch for", html);
        Assert.Contains("8 sample(s) missing by sequence number", html);
        Assert.Contains("2026-03-03 10:29:00 UTC", html); // the gap, listed
        Assert.DoesNotContain("<script", html);
        Assert.True(html.IndexOf("cannot vouch for", StringComparison.Ordinal) < html.IndexOf("Mercury monitors", StringComparison.Ordinal),
            "the caveats come before the figures");
    }
}
