using System.Net;
using EdgeTelemetry.LineProtocol;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Batches;

[Collection(InfluxCollection.Name)]
public class BatchesApiTests(InfluxFixture influx) : IAsyncLifetime
{
    private const string Centrifuge = "icon-i150-1";
    private const string Hopper = "feed-hopper-1";
    private static readonly DateTimeOffset Start = At("2026-03-03T08:00:00Z");
    private static readonly DateTimeOffset End = At("2026-03-03T09:00:00Z");
    private CentralHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await CentralHost.StartAsync(influx.Server);
        var points = new List<Point>
        {
            // Inside [08:00, 09:00): bowl_speed 400, 420, 380, 0 → mean 1200 / 4 = 300 rpm
            // bowl_g 68, 77, 62, 0 → 207 / 4 = 51.75 G; pressure 110, 120, 100, 30 → 360 / 4 = 90 kPa
            // flow 95, 100, 90, 0 → 285 / 4 = 71.25 L/min; feed 1.0, 1.2, 0.8, 0 → 3.0 / 4 = 0.75 t/h
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, Start, 1, ("bowl_speed", 400), ("bowl_g", 68), ("fluidisation_pressure", 110), ("fluidisation_flow", 95), ("feed_rate", 1.0)),
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, Start.AddMinutes(15), 2, ("bowl_speed", 420), ("bowl_g", 77), ("fluidisation_pressure", 120), ("fluidisation_flow", 100), ("feed_rate", 1.2)),
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, Start.AddMinutes(30), 3, ("bowl_speed", 380), ("bowl_g", 62), ("fluidisation_pressure", 100), ("fluidisation_flow", 90), ("feed_rate", 0.8)),
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, Start.AddMinutes(45), 4, ("bowl_speed", 0), ("bowl_g", 0), ("fluidisation_pressure", 30), ("fluidisation_flow", 0), ("feed_rate", 0)),
            // Outside the window (the end is exclusive): must not move the means.
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, End, 5, ("bowl_speed", 1000), ("bowl_g", 1000), ("fluidisation_pressure", 1000), ("fluidisation_flow", 1000), ("feed_rate", 1000)),
            Telemetry("centrifuge", "centrifuge-01", Centrifuge, Start.AddSeconds(-1), 6, ("bowl_speed", 1000)),
        };
        // Hopper load cell, one reading a minute for the 10-minute batch 10:00–10:10:
        // 500, 480, 460, 440, 420, refill → 600, 580, 560, 540, 520 kg.
        double[] hopper = [500, 480, 460, 440, 420, 600, 580, 560, 540, 520];
        for (var k = 0; k < hopper.Length; k++)
            points.Add(Telemetry("weighing", "hopper-scale", Hopper, At("2026-03-03T10:00:00Z").AddMinutes(k), 100 + k, ("mass", hopper[k])));
        await _host.WriteAsync(points);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<long> StoredBatches() => _host.Influx.CountAsync(_host.Database, "SELECT count(batch_id) FROM process_batch");

    private static object Batch(string? equipment = Centrifuge, string start = "2026-03-03T08:00:00Z", string end = "2026-03-03T09:00:00Z", object? feedMass = null) =>
        new { site = CentralHost.Site, equipment, start, end, feedMass = feedMass ?? new { value = 1.2, unit = "t" } };

    [Fact]
    public async Task Recording_a_batch_and_its_assays_stores_mass_balance_recovery_and_process_means()
    {
        var admin = _host.Client("admin");

        var (created, batch) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch());
        Assert.Equal(HttpStatusCode.Created, created);
        var id = batch.Str("id")!;
        Assert.Equal("md-test.icon-i150-1.20260303T080000Z", id);
        var b = batch.GetProperty("batch");
        Assert.Equal(1200, b.Num("feedMassKg"), 9);              // 1.2 t × 1000
        Assert.Equal("entered", b.Str("feedMassSource"));
        var c = b.GetProperty("conditions");
        Assert.Equal(300, c.Num("meanBowlSpeedRpm"), 9);
        Assert.Equal(51.75, c.Num("meanBowlG"), 9);
        Assert.Equal(90, c.Num("meanFluidisationPressureKpa"), 9);
        Assert.Equal(71.25, c.Num("meanFluidisationFlowLpm"), 9);
        Assert.Equal(0.75, c.Num("meanFeedRateTph"), 9);
        Assert.True(c.IsNull("meanStrokeRateSpm"));
        Assert.True(b.GetProperty("recovery").IsNull("recoveryPct"));

        // Assays in mixed units: c = 0.12 % = 1200 g/t; t = 2420 ppb = 2.42 g/t; C = 9600 g = 9.6 kg.
        // R = C·c / (F·f) = 9.6 × 1200 / (1200 × 12) = 11520 / 14400 = 80 %; mass pull 9.6 / 1200 = 0.8 %; upgrade 1200 / 12 = 100
        // Two-product check: 1200 × (12 − 2.42) / (12 × (1200 − 2.42)) = 11496 / 14370.96 = 79.99466 %
        var (ok, updated) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/batches/{id}/assays", new
        {
            feedGrade = new { value = 12, unit = "g/t" },
            concentrateMass = new { value = 9600, unit = "g" },
            concentrateGrade = new { value = 0.12, unit = "%" },
            tailingsGrade = new { value = 2420, unit = "ppb" },
        });
        Assert.Equal(HttpStatusCode.OK, ok);
        var r = updated.GetProperty("batch").GetProperty("recovery");
        Assert.Equal("mass_balance", r.Str("method"));
        Assert.Equal(80, r.Num("recoveryPct"), 9);
        Assert.Equal(0.8, r.Num("massPullPct"), 9);
        Assert.Equal(100, r.Num("upgradeRatio"), 9);
        Assert.Equal(79.99466, r.Num("twoProductRecoveryPct"), 4);

        // The point Grafana reads: one process_batch point at the batch start, with the documented field names.
        var series = await _host.Influx.QuerySeriesAsync(_host.Database, "SELECT * FROM process_batch");
        var row = Assert.Single(Assert.Single(series).Rows);
        object? F(string name) => row[series[0].Columns.ToList().IndexOf(name)];
        Assert.Equal(Ns(Start), (long)row[0]!);
        Assert.Equal(id, F("batch_id"));
        Assert.Equal(Ns(End), (long)F("end_ns")!);
        Assert.Equal(Centrifuge, F("equipment"));
        Assert.Equal(80.0, Convert.ToDouble(F("recovery_pct")), 9); // JSON shows a whole float as 80
        Assert.Equal("mass_balance", F("recovery_method"));
        Assert.Equal(1200.0, Convert.ToDouble(F("concentrate_grade_gpt")), 9);
        Assert.Equal(2.42, Convert.ToDouble(F("tailings_grade_gpt")), 9);
        Assert.Equal(9.6, Convert.ToDouble(F("concentrate_mass_kg")), 9);
        Assert.Equal(300.0, Convert.ToDouble(F("mean_bowl_speed_rpm")), 9);
        var types = (await _host.Influx.QueryAsync(_host.Database, "SHOW FIELD KEYS FROM process_batch")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(("string", "integer", "float", "string"), (types["batch_id"], types["end_ns"], types["recovery_pct"], types["recovery_method"]));
    }

    [Fact]
    public async Task Without_masses_the_two_product_formula_gives_recovery()
    {
        var admin = _host.Client("admin");
        var (_, batch) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches",
            new { site = CentralHost.Site, equipment = Centrifuge, start = "2026-03-03T08:00:00Z", end = "2026-03-03T09:00:00Z" });

        // f = 10, c = 500, t = 2 g/t → 500 × 8 / (10 × 498) = 4000 / 4980 = 80.3212851 %
        var (status, updated) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/batches/{batch.Str("id")}/assays", new
        {
            feedGrade = new { value = 10, unit = "ppm" }, concentrateGrade = new { value = 500, unit = "g/t" }, tailingsGrade = new { value = 2, unit = "g/t" },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        var r = updated.GetProperty("batch").GetProperty("recovery");
        Assert.Equal("two_product", r.Str("method"));
        Assert.Equal(80.3212851, r.Num("recoveryPct"), 6);
        Assert.True(r.IsNull("massPullPct"));
    }

    [Fact]
    public async Task Feed_mass_can_come_from_the_hopper_load_cell_over_the_batch_window()
    {
        // Minute means 500, 480, 460, 440, 420 | 600, 580, 560, 540, 520:
        // losses 4 × 20 = 80 kg before the refill, the +180 kg refill is not feed, 4 × 20 = 80 kg after → 160 kg
        var (status, batch) = await _host.Client("admin").SendJsonAsync(HttpMethod.Post, "/api/batches", new
        {
            site = CentralHost.Site, equipment = Centrifuge, start = "2026-03-03T10:00:00Z", end = "2026-03-03T10:10:00Z",
            feedMassFromLoadCell = new { equipment = Hopper },
        });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(160, batch.GetProperty("batch").Num("feedMassKg"), 9);
        Assert.Equal("load_cell", batch.GetProperty("batch").Str("feedMassSource"));
    }

    [Theory]
    [InlineData("negative mass", "feedMass.value", "cannot be negative")]
    [InlineData("end before start", "end", "must be after start")]
    [InlineData("unknown equipment", "equipment", "never seen in telemetry")]
    [InlineData("unknown unit", "feedMass.unit", "kg, t, g")]
    [InlineData("bad time", "start", "RFC 3339")]
    public async Task Impossible_batches_are_refused_per_field_and_nothing_is_stored(string _, string field, string message)
    {
        var body = field switch
        {
            "feedMass.value" => Batch(feedMass: new { value = -5, unit = "kg" }),
            "end" => Batch(start: "2026-03-03T09:00:00Z", end: "2026-03-03T08:00:00Z"),
            "equipment" => Batch(equipment: "knelson-never-seen"),
            "feedMass.unit" => Batch(feedMass: new { value = 5, unit = "lb" }),
            _ => Batch(start: "yesterday"),
        };

        var (status, problem) = await _host.Client("admin").SendJsonAsync(HttpMethod.Post, "/api/batches", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem.Errors(field), m => m.Contains(message));
        Assert.Equal(0, await StoredBatches());
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once()
    {
        var (status, problem) = await _host.Client("admin").SendJsonAsync(HttpMethod.Post, "/api/batches", new
        {
            site = "MD Test", equipment = "?", start = "2026-03-03T09:00:00Z", end = "2026-03-03T08:00:00Z", feedMass = new { value = -1, unit = "lb" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        foreach (var field in new[] { "site", "equipment", "end", "feedMass.value", "feedMass.unit" })
            Assert.NotEmpty(problem.Errors(field));
    }

    [Theory]
    [InlineData("concentrateGrade", 100.5, "%", "concentrateGrade.value", "1,000,000")]   // 1,005,000 g/t
    [InlineData("tailingsGrade", 15, "g/t", "tailingsGrade.value", "cannot be above feed grade")] // t 15 > f 12
    [InlineData("concentrateMass", 2, "t", "concentrateMass.value", "cannot exceed")]         // 2000 kg > 1200 kg fed
    [InlineData("concentrateMass", -1, "kg", "concentrateMass.value", "cannot be negative")]
    public async Task Impossible_assays_are_refused_and_the_stored_batch_is_unchanged(string member, double value, string unit, string field, string message)
    {
        var admin = _host.Client("admin");
        var (_, batch) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch());
        var id = batch.Str("id");
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/batches/{id}/assays", new { feedGrade = new { value = 12, unit = "g/t" } });

        var body = new Dictionary<string, object> { [member] = new { value, unit } };
        var (status, problem) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/batches/{id}/assays", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem.Errors(field), m => m.Contains(message));
        var (_, stored) = await _host.Client("technician").GetJsonAsync($"/api/batches/{id}");
        var b = stored.GetProperty("batch");
        Assert.Equal(12, b.Num("feedGradeGpt"), 9);
        Assert.True(b.IsNull("concentrateGradeGpt") && b.IsNull("tailingsGradeGpt") && b.IsNull("concentrateMassKg"));
    }

    [Fact]
    public async Task Unknown_json_members_and_text_numbers_are_refused_with_their_path()
    {
        var admin = _host.Client("admin");
        var (s1, p1) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches",
            """{"site":"md-test","equipment":"icon-i150-1","start":"2026-03-03T08:00:00Z","end":"2026-03-03T09:00:00Z","feedmas":{"value":1,"unit":"t"}}""");
        var (s2, p2) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches",
            """{"site":"md-test","equipment":"icon-i150-1","start":"2026-03-03T08:00:00Z","end":"2026-03-03T09:00:00Z","feedMass":{"value":"1","unit":"t"}}""");
        var (s3, p3) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, s1);
        Assert.Contains(p1.Errors("feedmas"), m => m.Contains("could not be mapped"));
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.NotEmpty(p2.Errors("feedMass.value"));
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.Equal(0, await StoredBatches());
    }

    [Fact]
    public async Task Recording_the_same_batch_twice_is_a_conflict_not_a_second_batch()
    {
        var admin = _host.Client("admin");
        await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch());

        var (status, problem) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch(feedMass: new { value = 2, unit = "t" }));

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("/assays", problem.Str("detail"));
        Assert.Equal(1, await StoredBatches());
        var (_, stored) = await admin.GetJsonAsync("/api/batches/md-test.icon-i150-1.20260303T080000Z");
        Assert.Equal(1200, stored.GetProperty("batch").Num("feedMassKg"), 9);
    }

    [Fact]
    public async Task A_batch_overlapping_another_on_the_same_equipment_is_refused()
    {
        var admin = _host.Client("admin");
        await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch());

        var (status, problem) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch(start: "2026-03-03T08:30:00Z", end: "2026-03-03T09:30:00Z"));
        var (adjacent, _) = await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch(start: "2026-03-03T09:00:00Z", end: "2026-03-03T09:30:00Z"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem.Errors("start"), m => m.Contains("overlaps batch md-test.icon-i150-1.20260303T080000Z"));
        Assert.Equal(HttpStatusCode.Created, adjacent); // [08:00, 09:00) and [09:00, 09:30) only touch
        Assert.Equal(2, await StoredBatches());
    }

    [Fact]
    public async Task Batches_are_listed_by_site_and_start_time_and_unknown_ids_are_not_found()
    {
        var admin = _host.Client("admin");
        await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch());
        await admin.SendJsonAsync(HttpMethod.Post, "/api/batches", Batch(start: "2026-03-03T10:00:00Z", end: "2026-03-03T10:10:00Z"));
        var technician = _host.Client("technician");

        var (status, list) = await technician.GetJsonAsync("/api/batches?site=md-test&from=2026-03-03T07:00:00Z&to=2026-03-03T09:30:00Z");
        var (_, all) = await technician.GetJsonAsync("/api/batches?site=md-test&from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z&equipment=icon-i150-1");
        var (missing, _) = await technician.GetJsonAsync("/api/batches/md-test.icon-i150-1.20260303T070000Z");
        var (garbage, _) = await technician.GetJsonAsync("/api/batches/not-an-id");
        var (putMissing, _) = await admin.SendJsonAsync(HttpMethod.Put, "/api/batches/md-test.icon-i150-1.20260303T070000Z/assays", new { feedGrade = new { value = 1, unit = "g/t" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("md-test.icon-i150-1.20260303T080000Z", Assert.Single(list.GetProperty("batches").EnumerateArray()).Str("id"));
        Assert.Equal(2, all.GetProperty("batches").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(HttpStatusCode.NotFound, garbage);
        Assert.Equal(HttpStatusCode.NotFound, putMissing);
    }
}
