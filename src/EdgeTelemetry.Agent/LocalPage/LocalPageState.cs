using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Clock;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Agent.Publishing;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Localization;
using EdgeTelemetry.Model;
using Microsoft.Extensions.Localization;

namespace EdgeTelemetry.Agent.LocalPage;

/// <summary>
/// What the page shows, gathered from the agent's own state: latest values, the annunciator, the
/// health readings the agent publishes (backlog, oldest unsent/unreceipted age, clock) and the publisher's counters.
/// </summary>
public sealed class LocalPageState(
    AgentOptions options,
    LatestReadings latest,
    Annunciator annunciator,
    PublisherStats publisher,
    ClockMonitor clock,
    Func<long, CancellationToken, Task<IReadOnlyList<Reading>>> health,
    TimeProvider time)
{
    /// <summary>Unsent samples older than this mean the broker is not taking them (the publisher retries every few seconds at most).</summary>
    private static readonly TimeSpan LinkDownAfter = TimeSpan.FromSeconds(15);

    public async Task<object> SnapshotAsync(IStringLocalizer<DomainText> names, CancellationToken ct)
    {
        var nowNs = Time.ToUnixNanoseconds(time.GetUtcNow());
        var h = (await health(nowNs, ct)).ToDictionary(r => r.Name, r => r.Value);
        double Get(string name) => h.GetValueOrDefault(name);
        var connects = Interlocked.Read(ref publisher.Connects);
        var linkState = connects == 0 ? "never" : Get("backlog") > 0 && Get("oldest_unsent_age") > LinkDownAfter.TotalSeconds ? "down" : "up";
        var lastReceiptNs = Interlocked.Read(ref publisher.LastReceiptNs);
        return new
        {
            site = options.Site,
            device = options.Device,
            now = time.GetUtcNow(),
            channels = latest.All().Select(c => Channel(c, names)),
            alarms = new
            {
                active = annunciator.Active().Select(a => Alarm(a, names)),
                recent = annunciator.Recent().Select(a => Alarm(a, names)),
            },
            link = new
            {
                state = linkState,
                connects,
                failures = Interlocked.Read(ref publisher.Failures),
                receipts = publisher.ReceiptsActive,
                lastReceiptAgeSeconds = lastReceiptNs > 0 ? Math.Max(0, (nowNs - lastReceiptNs) / 1e9) : (double?)null,
            },
            buffer = new
            {
                backlog = (long)Get("backlog"),
                oldestUnsentAgeSeconds = Get("oldest_unsent_age"),
                unreceipted = (long)Get("unreceipted"),
                oldestUnreceiptedAgeSeconds = Get("oldest_unreceipted_age"),
            },
            clock = new { trusted = clock.Trusted, jumps = clock.Jumps },
        };
    }

    private object Channel(LatestReadings.Latest c, IStringLocalizer<DomainText> names)
    {
        var profile = EquipmentProfiles.Find(options.Equipment.FirstOrDefault(e => e.Id == c.Equipment)?.Profile);
        var spec = profile is not null && profile.Measurement == c.Measurement ? profile.Channel(c.Channel) : null;
        return new
        {
            equipment = c.Equipment,
            equipmentName = profile is null ? c.Equipment : $"{DomainText.Equipment(names, profile.Name)} · {c.Equipment}",
            measurement = c.Measurement,
            channel = c.Channel,
            name = DomainText.Channel(names, c.Channel),
            value = c.Value,
            unit = c.Unit,
            min = spec?.Min,
            max = spec?.Max,
            at = Time.FromUnixNanoseconds(c.TimestampNs),
        };
    }

    private static object Alarm(SiteAlarm a, IStringLocalizer<DomainText> names) => new
    {
        id = a.Id,
        equipment = a.Equipment,
        rule = a.Rule,
        name = DomainText.Alarm(names, a.Rule),
        severity = a.Severity.ToString().ToLowerInvariant(),
        severityName = DomainText.Severity(names, a.Severity.ToString().ToLowerInvariant()),
        channel = a.Channel,
        channelName = DomainText.Channel(names, a.Channel),
        value = a.Value,
        unit = a.Unit,
        raisedAt = Time.FromUnixNanoseconds(a.RaisedNs),
        acknowledged = a.Acknowledged,
        acknowledgedBy = a.AcknowledgedBy?.ToString().ToLowerInvariant(),
        clearedAt = a.ClearedNs is { } c ? Time.FromUnixNanoseconds(c) : (DateTimeOffset?)null,
    };
}
