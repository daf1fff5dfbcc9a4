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

    public async Task<PageSnapshot> SnapshotAsync(IStringLocalizer<DomainText> names, CancellationToken ct)
    {
        var nowNs = Time.ToUnixNanoseconds(time.GetUtcNow());
        var h = (await health(nowNs, ct)).ToDictionary(r => r.Name, r => r.Value);
        double Get(string name) => h.GetValueOrDefault(name);
        var connects = Interlocked.Read(ref publisher.Connects);
        var linkState = connects == 0 ? "never" : Get("backlog") > 0 && Get("oldest_unsent_age") > LinkDownAfter.TotalSeconds ? "down" : "up";
        var lastReceiptNs = Interlocked.Read(ref publisher.LastReceiptNs);
        return new PageSnapshot(
            options.Site,
            options.Device,
            time.GetUtcNow(),
            [.. latest.All().Select(c => Channel(c, names))],
            new PageAlarms([.. annunciator.Active().Select(a => Alarm(a, names))], [.. annunciator.Recent().Select(a => Alarm(a, names))]),
            new PageLink(linkState, connects, Interlocked.Read(ref publisher.Failures), publisher.ReceiptsActive,
                lastReceiptNs > 0 ? Math.Max(0, (nowNs - lastReceiptNs) / 1e9) : null),
            new PageBuffer((long)Get("backlog"), Get("oldest_unsent_age"), (long)Get("unreceipted"), Get("oldest_unreceipted_age")),
            new PageClock(clock.Trusted, clock.Jumps));
    }

    private PageChannel Channel(LatestReadings.Latest c, IStringLocalizer<DomainText> names)
    {
        var profile = EquipmentProfiles.Find(options.Equipment.FirstOrDefault(e => e.Id == c.Equipment)?.Profile);
        var spec = profile is not null && profile.Measurement == c.Measurement ? profile.Channel(c.Channel) : null;
        return new PageChannel(
            c.Equipment,
            profile is null ? c.Equipment : $"{DomainText.Equipment(names, profile.Name)} · {c.Equipment}",
            c.Measurement,
            c.Channel,
            DomainText.Channel(names, c.Channel),
            c.Value,
            c.Unit,
            spec?.Min,
            spec?.Max,
            Time.FromUnixNanoseconds(c.TimestampNs));
    }

    private static PageAlarm Alarm(SiteAlarm a, IStringLocalizer<DomainText> names) => new(
        a.Id,
        a.Equipment,
        a.Rule,
        DomainText.Alarm(names, a.Rule),
        a.Severity.ToString().ToLowerInvariant(),
        DomainText.Severity(names, a.Severity.ToString().ToLowerInvariant()),
        a.Channel,
        DomainText.Channel(names, a.Channel),
        a.Value,
        a.Unit,
        Time.FromUnixNanoseconds(a.RaisedNs),
        a.Acknowledged,
        a.AcknowledgedBy?.ToString().ToLowerInvariant(),
        a.ClearedNs is { } c ? Time.FromUnixNanoseconds(c) : null);
}
