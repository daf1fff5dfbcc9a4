using System.Diagnostics;
using System.Net;
using EdgeTelemetry.LineProtocol;
using Xunit.Abstractions;
using static EdgeTelemetry.Api.Tests.Seed;

namespace EdgeTelemetry.Api.Tests.Export;

/// <summary>
/// Ten minutes of a centrifuge (10:00–10:10, a sample every 10 s, bowl speed 400…405 within each
/// minute → mean 402.5) and a load cell on the same equipment reporting in minutes 0–4 only.
/// </summary>
[Collection(InfluxCollection.Name)]
public class ExportApiTests(InfluxFixture influx, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Url = "/api/export?site=md-test&equipment=icon-i150-1&from=2026-03-03T10:00:00Z&to=2026-03-03T10:10:00Z";
    private static readonly DateTimeOffset T0 = At("2026-03-03T10:00:00Z");
    private CentralHost _host = null!;

    public async Task InitializeAsync()
    {
        // md-test reads Spanish when a request names no language (the per-site default of the notes).
        _host = await CentralHost.StartAsync(influx.Server, null, null, "--Localization:Sites:md-test=es");
        var points = new List<Point>();
        for (var i = 0; i < 60; i++)
        {
            var p = Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T0.AddSeconds(10 * i), i + 1,
                ("bowl_speed", 400 + i % 6), ("bowl_g", 68), ("fluidisation_pressure", 110), ("fluidisation_flow", 95), ("feed_rate", 1.0));
            if (i < 6) p.Field("bearing_temp", 40.0); // a field outside the catalogue: its unit is unknown
            points.Add(p);
        }
        for (var k = 0; k < 5; k++)
            points.Add(Telemetry("weighing", "centrifuge-01", "icon-i150-1", T0.AddMinutes(k).AddSeconds(30), 100 + k, ("mass", 10 + k)));
        points.Add(Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T0.AddMinutes(10), 200, ("bowl_speed", 999))); // 'to' is exclusive
        points.Add(Telemetry("centrifuge", "centrifuge-01", "icon-i150-1", T0.AddSeconds(-10), 201, ("bowl_speed", 999)));
        await _host.WriteAsync(points);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The table as a reader with comment="#" sees it: the notes left out.</summary>
    private async Task<string[]> ExportLines(string url) =>
        (await ExportFile(url)).Where(l => !l.StartsWith('#')).ToArray();

    private async Task<string[]> ExportFile(string url, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        using var response = await _host.Client("researcher").SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string[] Notes(string[] file) => file.TakeWhile(l => l.StartsWith("# ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Notes_in_spanish_with_lang_es_come_before_an_invariant_table()
    {
        var file = await ExportFile(Url + "&every=1m&batches=true&lang=es", "en-GB");
        var notes = Notes(file);

        Assert.StartsWith("# Exportación para investigación de EdgeTelemetry.", notes[0]);
        Assert.Contains(notes, n => n.Contains("Sitio md-test, maquinaria icon-i150-1; período de 2026-03-03T10:00:00Z a 2026-03-03T10:10:00Z"));
        Assert.Contains(notes, n => n.Contains("Una fila por cada intervalo de 60 s con datos"));
        Assert.Contains("# centrifuge.bowl_speed [rpm]: Velocidad del tazón (Concentrador centrífugo).", notes);
        Assert.Contains("# centrifuge.fluidisation_pressure [kPa]: Presión del agua de fluidización (Concentrador centrífugo).", notes);
        Assert.Contains("# weighing.mass [kg]: Masa (Pesaje).", notes);
        Assert.Contains(notes, n => n.StartsWith("# batch_id, batch_recovery [%]: el lote", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.Contains("researcher export") || n.Contains("Bowl speed"));
        // After the notes the table is the same in every language: invariant names, decimal points.
        var table = file[notes.Length..];
        Assert.StartsWith("time,centrifuge.bowl_speed [rpm],", table[0]);
        Assert.Equal("2026-03-03T10:00:00Z,402.5,68,110,95,1,40,10,,", table[1]);
    }

    [Fact]
    public async Task Accept_language_picks_the_notes_language_and_the_lang_parameter_wins_over_it()
    {
        var english = Notes(await ExportFile(Url + "&every=1m", "en-US,en;q=0.9"));
        Assert.StartsWith("# EdgeTelemetry researcher export.", english[0]);
        Assert.Contains("# centrifuge.bowl_speed [rpm]: Bowl speed (Centrifugal concentrator).", english);
        Assert.Contains(english, n => n.Contains("Site md-test, equipment icon-i150-1; period 2026-03-03T10:00:00Z to 2026-03-03T10:10:00Z"));

        Assert.StartsWith("# Exportación para investigación", Notes(await ExportFile(Url + "&every=1m", "es-PE,es;q=0.9"))[0]);
        Assert.StartsWith("# EdgeTelemetry researcher export.", Notes(await ExportFile(Url + "&every=1m&lang=en", "es-PE"))[0]);
    }

    [Fact]
    public async Task Without_a_language_in_the_request_the_notes_follow_the_sites_default()
    {
        Assert.StartsWith("# Exportación para investigación", Notes(await ExportFile(Url + "&every=1m"))[0]);
    }

    [Fact]
    public async Task Notes_false_gives_the_bare_table()
    {
        var file = await ExportFile(Url + "&every=1m&notes=false");

        Assert.StartsWith("time,centrifuge.bowl_speed [rpm],", file[0]);
        Assert.DoesNotContain(file, l => l.StartsWith('#'));
    }

    [Fact]
    public async Task Csv_has_a_header_with_units_and_one_row_per_minute_with_data()
    {
        var lines = await ExportLines(Url + "&every=1m");

        Assert.Equal("time,centrifuge.bowl_speed [rpm],centrifuge.bowl_g [G],centrifuge.fluidisation_pressure [kPa]," +
                     "centrifuge.fluidisation_flow [L/min],centrifuge.feed_rate [t/h],centrifuge.bearing_temp [?],weighing.mass [kg]", lines[0]);
        Assert.Equal(1 + 10, lines.Length); // header + 10 minutes
        // minute 0: bowl speed (400 + 401 + … + 405) / 6 = 2415 / 6 = 402.5; load cell 10 kg; bearing 40
        Assert.Equal("2026-03-03T10:00:00Z,402.5,68,110,95,1,40,10", lines[1]);
        Assert.Equal("2026-03-03T10:04:00Z,402.5,68,110,95,1,,14", lines[5]);
        Assert.Equal("2026-03-03T10:09:00Z,402.5,68,110,95,1,,", lines[10]); // no load-cell reading: blank, not zero
    }

    [Fact]
    public async Task Shorter_intervals_give_more_rows_aligned_across_measurements()
    {
        var lines = await ExportLines(Url + "&every=10s");

        Assert.Equal(1 + 60, lines.Length);
        Assert.Equal("2026-03-03T10:00:30Z,403,68,110,95,1,40,10", lines[4]); // sample 3: 400 + 3; load cell at :30 joins the same row
        Assert.All(lines.Skip(1), l => Assert.Equal(8, l.Split(',').Length));
    }

    [Fact]
    public async Task Rows_can_carry_the_batch_they_fall_in()
    {
        var (created, _) = await _host.Client("admin").SendJsonAsync(HttpMethod.Post, "/api/batches", new
        {
            site = "md-test", equipment = "icon-i150-1", start = "2026-03-03T10:02:00Z", end = "2026-03-03T10:05:00Z", feedMass = new { value = 500, unit = "kg" },
        });
        Assert.Equal(HttpStatusCode.Created, created);

        var lines = await ExportLines(Url + "&every=1m&batches=true");

        Assert.EndsWith(",batch_id,batch_recovery [%]", lines[0]);
        var batchOf = lines.Skip(1).Select(l => l.Split(',')[^2]).ToList();
        // [10:02, 10:05) holds the rows starting 10:02, 10:03, 10:04; recovery blank until assays arrive
        Assert.Equal(["", "", "md-test.icon-i150-1.20260303T100200Z", "md-test.icon-i150-1.20260303T100200Z", "md-test.icon-i150-1.20260303T100200Z", "", "", "", "", ""], batchOf);
    }

    [Fact]
    public async Task A_period_without_data_gives_the_header_and_no_rows()
    {
        var lines = await ExportLines("/api/export?site=md-test&equipment=icon-i150-1&from=2026-03-04T00:00:00Z&to=2026-03-05T00:00:00Z");

        Assert.StartsWith("time,centrifuge.bowl_speed [rpm]", Assert.Single(lines));
    }

    [Fact]
    public async Task Unknown_equipment_is_refused_before_anything_is_streamed()
    {
        var (status, problem) = await _host.Client("researcher").GetJsonAsync(Url.Replace("icon-i150-1", "icon-unknown"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(problem.Errors("equipment"), m => m.Contains("never seen in telemetry"));
    }

    [Fact]
    public async Task A_large_range_streams_row_by_row()
    {
        // 200,000 one-second samples (~55.6 h) of five channels.
        const int n = 200_000;
        var start = At("2026-02-01T00:00:00Z");
        var seeding = Stopwatch.StartNew();
        for (var offset = 0; offset < n; offset += 20_000)
        {
            var chunk = Enumerable.Range(offset, Math.Min(20_000, n - offset)).Select(i => Telemetry("centrifuge", "centrifuge-02", "knelson-md30-1",
                start.AddSeconds(i), i + 1, ("bowl_speed", 400 + i % 7), ("bowl_g", 60), ("fluidisation_pressure", 110), ("fluidisation_flow", 95), ("feed_rate", 1.0)));
            await _host.WriteAsync(chunk);
        }
        seeding.Stop();
        var url = $"/api/export?site=md-test&equipment=knelson-md30-1&from=2026-02-01T00:00:00Z&to=2026-02-04T00:00:00Z&every=1s&notes=false";
        await ExportLines(Url); // warm-up: JIT and connections, so the timing below is the export's own

        var clock = Stopwatch.StartNew();
        using var response = await _host.Client("researcher").GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        var headers = clock.Elapsed;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var header = await reader.ReadLineAsync();
        var first = await reader.ReadLineAsync();
        var firstRow = clock.Elapsed;
        long rows = 1;
        while (await reader.ReadLineAsync() is { Length: > 0 }) rows++;
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength); // chunked: nothing was buffered to measure it
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.StartsWith("time,centrifuge.bowl_speed [rpm]", header);
        Assert.Equal("2026-02-01T00:00:00Z,400,60,110,95,1", first);
        Assert.Equal(n, rows);
        output.WriteLine($"seeded {n} points in {seeding.ElapsedMilliseconds} ms; export of {rows} rows: headers {headers.TotalMilliseconds:0} ms, " +
                         $"first row {firstRow.TotalMilliseconds:0} ms, all {clock.ElapsedMilliseconds} ms ({rows / clock.Elapsed.TotalSeconds:0} rows/s)");
    }
}
