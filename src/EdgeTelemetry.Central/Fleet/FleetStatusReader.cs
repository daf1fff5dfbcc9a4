using EdgeTelemetry.Model;
using EdgeTelemetry.Central.Storage;

namespace EdgeTelemetry.Central.Fleet;

/// <summary>
/// Builds the fleet's state from what the central service stored: device_status (retained status
/// and last wills), delivery (when messages arrived), telemetry seq (when samples were taken),
/// agent_health and alarm. Nothing is kept in memory, so every instance and every restart agrees.
/// Every statement is bounded: the last <see cref="RetentionOptions.LookbackDays"/> days, and the newest point of a
/// series is read with ORDER BY time DESC LIMIT 1 (the newest block only) rather than last() over the window.
/// </summary>
public sealed class FleetStatusReader(InfluxQueryClient influx, RetentionLayout layout, TimeProvider clock)
{
    /// <summary>Fields an alarm point carries beside its rules (the buffer's bookkeeping).</summary>
    private static readonly HashSet<string> NotRules = new(StringComparer.Ordinal) { "seq", "clock_corrected", "clock_uncertain", PointFlags.ClockSkew, PointFlags.Signed };

    private static readonly string[] HealthFields =
        ["backlog", "oldest_unsent_age", "evictions", "disk_free", "cpu_temperature", "uptime", "reconnects", "clock_ok",
         "unreceipted", "oldest_unreceipted_age", "receipts", "resent"];

    public async Task<IReadOnlyList<FleetDevice>> ListAsync(string? site, string? device, CancellationToken ct)
    {
        var since = clock.GetUtcNow() - TimeSpan.FromDays(Math.Max(1, layout.Options.LookbackDays));
        var where = Where(site, device, since);
        // One request, five statements; each tolerates an absent measurement (no series).
        var q = string.Join(";\n",
            $"SELECT state, online, agent, stream FROM device_status{where} GROUP BY site, device ORDER BY time DESC LIMIT 1",
            $"SELECT \"count\" FROM delivery{where} GROUP BY site, device ORDER BY time DESC LIMIT 1",
            $"SELECT seq FROM {layout.AllRawSources}{where} GROUP BY site, device ORDER BY time DESC LIMIT 1",
            $"SELECT {string.Join(", ", HealthFields.Select(InfluxQl.Ident))} FROM agent_health{where} GROUP BY site, device ORDER BY time DESC LIMIT 1",
            $"SELECT last(*) FROM alarm{where} GROUP BY site, device, equipment");
        var r = await influx.QueryAsync(q, ct);
        var devices = new SortedDictionary<(string, string), Builder>();
        Builder Get(InfluxSeries s)
        {
            var key = (s.Tag("site") ?? "", s.Tag("device") ?? "");
            if (!devices.TryGetValue(key, out var b)) devices[key] = b = new Builder(key.Item1, key.Item2);
            return b;
        }

        foreach (var s in r[0].Where(s => s.Rows.Count > 0))
        {
            var row = s.Rows[0];
            var b = Get(s);
            b.State = InfluxValue.String(row[s.Column("state")]);
            b.StateSince = InfluxValue.Time(row[0]);
            b.Agent = InfluxValue.String(row[s.Column("agent")]);
            b.Stream = InfluxValue.String(row[s.Column("stream")]);
        }
        foreach (var s in r[1].Where(s => s.Rows.Count > 0))
            Get(s).LastMessage = InfluxValue.Time(s.Rows[0][0]);
        foreach (var s in r[2].Where(s => s.Rows.Count > 0 && s.Name != "rejects"))
        {
            var b = Get(s);
            var t = InfluxValue.Time(s.Rows[0][0]);
            if (b.LastSample is null || t > b.LastSample) b.LastSample = t;
        }
        foreach (var s in r[3].Where(s => s.Rows.Count > 0))
        {
            var row = s.Rows[0];
            double? F(string name) => s.Column(name) is >= 0 and var i ? InfluxValue.Double(row[i]) : null;
            var clock = F("clock_ok");
            var receipts = F("receipts");
            Get(s).Health = new AgentHealth(InfluxValue.Time(row[0]), F("backlog"), F("oldest_unsent_age"), F("evictions"),
                F("disk_free"), F("cpu_temperature"), F("uptime"), F("reconnects"), clock is null ? null : clock >= 0.5,
                F("unreceipted"), F("oldest_unreceipted_age"), receipts is null ? null : receipts >= 0.5, F("resent"));
        }
        var open = OpenRules(r[4]);
        foreach (var (s, rule, value) in open) Get(s).Alarms.Add((s.Tag("equipment") ?? "", rule, value));
        var raised = await RaisedSinceAsync(open, since, ct);

        return devices.Values.Select(b => b.Build(raised)).ToList();
    }

    /// <summary>Rules whose last value is 1 (raised); <c>&lt;rule&gt;_value</c> columns carry the channel value.</summary>
    private static List<(InfluxSeries Series, string Rule, double? Value)> OpenRules(IReadOnlyList<InfluxSeries> alarms)
    {
        var open = new List<(InfluxSeries, string, double?)>();
        foreach (var s in alarms.Where(s => s.Rows.Count > 0))
        {
            var row = s.Rows[0];
            var names = s.Columns.Select(c => c.StartsWith("last_", StringComparison.Ordinal) ? c[5..] : c).ToList();
            for (var i = 1; i < names.Count; i++)
            {
                var rule = names[i];
                if (NotRules.Contains(rule)) continue;
                // "x_value" is the value column of rule "x" when that rule exists; otherwise a rule of its own.
                if (rule.EndsWith("_value", StringComparison.Ordinal) && names.Contains(rule[..^6])) continue;
                if (InfluxValue.Double(row[i]) is not 1.0) continue;
                var valueIndex = names.IndexOf(rule + "_value");
                open.Add((s, rule, valueIndex > 0 ? InfluxValue.Double(row[valueIndex]) : null));
            }
        }
        return open;
    }

    /// <summary>When each open alarm was raised: the time of its rule's last point (one statement per open alarm, one request).</summary>
    private async Task<Dictionary<(string, string, string, string), DateTimeOffset>> RaisedSinceAsync(
        List<(InfluxSeries Series, string Rule, double? Value)> open, DateTimeOffset window, CancellationToken ct)
    {
        var since = new Dictionary<(string, string, string, string), DateTimeOffset>();
        if (open.Count == 0) return since;
        var statements = open.Select(o =>
            $"SELECT last({InfluxQl.Ident(o.Rule)}) FROM alarm WHERE {InfluxQl.TagEquals("site", o.Series.Tag("site") ?? "")} " +
            $"AND {InfluxQl.TagEquals("device", o.Series.Tag("device") ?? "")} AND {InfluxQl.TagEquals("equipment", o.Series.Tag("equipment") ?? "")} AND time >= {InfluxQl.Time(window)}");
        var results = await influx.QueryAsync(string.Join(";\n", statements), ct);
        for (var i = 0; i < open.Count && i < results.Count; i++)
        {
            if (results[i] is [{ Rows.Count: > 0 } s, ..])
            {
                var o = open[i];
                since[(o.Series.Tag("site") ?? "", o.Series.Tag("device") ?? "", o.Series.Tag("equipment") ?? "", o.Rule)] = InfluxValue.Time(s.Rows[0][0]);
            }
        }
        return since;
    }

    private static string Where(string? site, string? device, DateTimeOffset since)
    {
        var conditions = new List<string> { $"time >= {InfluxQl.Time(since)}" };
        if (site is not null) conditions.Add(InfluxQl.TagEquals("site", site));
        if (device is not null) conditions.Add(InfluxQl.TagEquals("device", device));
        return " WHERE " + string.Join(" AND ", conditions);
    }

    private sealed class Builder(string site, string device)
    {
        public string? State, Agent, Stream;
        public DateTimeOffset? StateSince, LastMessage, LastSample;
        public AgentHealth? Health;
        public readonly List<(string Equipment, string Rule, double? Value)> Alarms = [];

        public FleetDevice Build(Dictionary<(string, string, string, string), DateTimeOffset> since)
        {
            DateTimeOffset? lastSeen = new[] { StateSince, LastMessage, LastSample }.Max();
            var clock = Health?.ClockOk switch { true => "trusted", false => "untrusted", null => "unknown" };
            var alarms = Alarms
                .Select(a => new OpenAlarm(a.Equipment, a.Rule,
                    since.TryGetValue((site, device, a.Equipment, a.Rule), out var t) ? t : null, a.Value))
                .OrderBy(a => a.Equipment, StringComparer.Ordinal).ThenBy(a => a.Rule, StringComparer.Ordinal)
                .ToList();
            return new FleetDevice(site, device, State is "online" or "offline" ? State : "unknown", StateSince,
                Agent, Stream, lastSeen, LastSample, LastMessage, Health, clock, alarms);
        }
    }
}
