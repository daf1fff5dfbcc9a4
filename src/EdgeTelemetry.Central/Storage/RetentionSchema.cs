using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// Creates (or adjusts) the retention policies and the continuous queries that roll telemetry up per minute and per
/// hour (InfluxDB 1.x's own mechanisms), at every start and from <c>retention apply</c> in the install script; and
/// recomputes rollups for a past period (<see cref="BackfillAsync"/>), which a continuous query never revisits.
/// </summary>
public sealed class RetentionSchema(HttpClient http, InfluxOptions influx, RetentionLayout layout)
{
    /// <summary>How far back each continuous-query run recomputes: late samples within it are rolled up without a backfill.</summary>
    public static readonly TimeSpan MinuteResampleFor = TimeSpan.FromMinutes(10), HourResampleFor = TimeSpan.FromHours(3);

    private string Db => InfluxQl.Ident(layout.Database);

    /// <summary>The rollup SELECT of one interval; the continuous query and the backfill run this same text.</summary>
    public string RollupSelect(TimeSpan interval, string? where = null)
    {
        var o = layout.Options;
        // Raw measurements too: their points from before routing (an upgrade, a direct write) sit in the evidence policy.
        // A point is in one policy only, so nothing is counted twice.
        var evidence = string.Join("|", layout.RolledUp);
        return $"SELECT mean(*), min(*), max(*), count(*), sum(*) INTO {Db}.{InfluxQl.Ident(layout.RollupPolicy(interval))}.:MEASUREMENT " +
               $"FROM {Db}.{InfluxQl.Ident(o.RawPolicy)}./.*/, {Db}.{InfluxQl.Ident(layout.EvidencePolicy)}./^({evidence})$/" +
               (where is null ? "" : $" WHERE {where}") +
               $" GROUP BY time({InfluxQl.Duration(interval)}), *";
    }

    public static string ContinuousQueryName(TimeSpan interval) => interval == RetentionLayout.Hour ? "edgetelemetry_rollup_1h" : "edgetelemetry_rollup_1m";

    /// <summary>Every statement <see cref="EnsureAsync"/> may run, for <c>retention show</c> and the install script's dry run.</summary>
    public IReadOnlyList<string> Statements(IReadOnlySet<string>? existingPolicies = null, IReadOnlySet<string>? existingQueries = null)
    {
        var o = layout.Options;
        var list = new List<string>();
        void Policy(string name, int days, bool isDefault)
        {
            var verb = existingPolicies?.Contains(name) == true ? "ALTER" : "CREATE";
            var duration = days <= 0 ? "INF" : days.ToString(CultureInfo.InvariantCulture) + "d";
            list.Add($"{verb} RETENTION POLICY {InfluxQl.Ident(name)} ON {Db} DURATION {duration} REPLICATION 1{(isDefault ? " DEFAULT" : "")}");
        }
        Policy(layout.EvidencePolicy, o.EvidenceDays, isDefault: true);
        Policy(o.RawPolicy, o.RawDays, isDefault: false);
        Policy(o.MinutePolicy, o.MinuteRollupDays, isDefault: false);
        Policy(o.HourPolicy, o.HourRollupDays, isDefault: false);
        foreach (var (interval, resample) in new[] { (RetentionLayout.Minute, MinuteResampleFor), (RetentionLayout.Hour, HourResampleFor) })
        {
            var name = ContinuousQueryName(interval);
            // Replaced at each start, so changed durations or measurements take effect.
            if (existingQueries?.Contains(name) != false) list.Add($"DROP CONTINUOUS QUERY {InfluxQl.Ident(name)} ON {Db}");
            list.Add($"CREATE CONTINUOUS QUERY {InfluxQl.Ident(name)} ON {Db} RESAMPLE EVERY {InfluxQl.Duration(interval)} FOR {InfluxQl.Duration(resample)} " +
                     $"BEGIN {RollupSelect(interval)} END");
        }
        return list;
    }

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (!layout.Enabled) return;
        var policies = (await QueryAsync($"SHOW RETENTION POLICIES ON {Db}", ct)).ToHashSet(StringComparer.Ordinal);
        var queries = (await QueryAsync("SHOW CONTINUOUS QUERIES", ct, seriesName: layout.Database)).ToHashSet(StringComparer.Ordinal);
        foreach (var statement in Statements(policies, queries))
        {
            try
            {
                await QueryAsync(statement, ct);
            }
            // Two instances starting together: the other one created it first.
            catch (InvalidOperationException ex) when (ex.Message.Contains("already exists", StringComparison.Ordinal)
                                                        || ex.Message.Contains("continuous query not found", StringComparison.Ordinal)) { }
        }
    }

    /// <summary>Recomputes both rollups over [from, to) (whole hours), a day per statement so influxd's memory stays small.</summary>
    public async Task BackfillAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var start = new DateTimeOffset(from.UtcDateTime.Date.AddHours(from.UtcDateTime.Hour), TimeSpan.Zero);
        // Whole hours at the end too: a partial bucket would be written as if it were the whole hour.
        if (to.UtcTicks % TimeSpan.TicksPerHour != 0) to = new DateTimeOffset(to.UtcTicks - to.UtcTicks % TimeSpan.TicksPerHour + TimeSpan.TicksPerHour, TimeSpan.Zero);
        for (var day = start; day < to; day = day.AddDays(1))
        {
            var end = day.AddDays(1) < to ? day.AddDays(1) : to;
            foreach (var interval in new[] { RetentionLayout.Minute, RetentionLayout.Hour })
                await QueryAsync(RollupSelect(interval, InfluxQl.Period(day, end)), ct);
        }
    }

    /// <summary>Runs one statement; answers the first column of its rows (names, for SHOW statements).</summary>
    private async Task<List<string>> QueryAsync(string statement, CancellationToken ct, string? seriesName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(influx.Url.EndsWith('/') ? influx.Url : influx.Url + "/"), "query?db=" + Uri.EscapeDataString(layout.Database)))
        {
            Content = new FormUrlEncodedContent([new("q", statement)]),
        };
        influx.Authorize(request);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {influx.Url} unreachable: {ex.Message}", null, ex);
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if ((int)response.StatusCode >= 500) throw new TransientWriteException($"{statement} answered {(int)response.StatusCode}: {InfluxWriteFailure.Trim(body)}", null);
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var top)) throw new InvalidOperationException($"{statement}: {top.GetString()}");
            var names = new List<string>();
            foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                if (result.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{statement}: {error.GetString()}");
                if (!result.TryGetProperty("series", out var series)) continue;
                foreach (var s in series.EnumerateArray())
                {
                    if (seriesName is not null && s.GetProperty("name").GetString() != seriesName) continue;
                    if (!s.TryGetProperty("values", out var values)) continue;
                    foreach (var row in values.EnumerateArray()) names.Add(row[0].GetString() ?? "");
                }
            }
            return names;
        }
    }
}
