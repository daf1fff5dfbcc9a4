using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeTelemetry.Agent.LocalPage;

// What the page's endpoints return, as named types with a source-generated serializer: the published
// agent is compiled ahead of time, where System.Text.Json cannot reflect over anonymous types.
// Property names are camelCase (web defaults), as the page's script reads them.

public sealed record PageSnapshot(string Site, string Device, DateTimeOffset Now, IReadOnlyList<PageChannel> Channels, PageAlarms Alarms,
    PageLink Link, PageBuffer Buffer, PageClock Clock);

public sealed record PageChannel(string Equipment, string EquipmentName, string Measurement, string Channel, string Name, double Value,
    string Unit, double? Min, double? Max, DateTimeOffset At);

public sealed record PageAlarms(IReadOnlyList<PageAlarm> Active, IReadOnlyList<PageAlarm> Recent);

public sealed record PageAlarm(string Id, string Equipment, string Rule, string Name, string Severity, string SeverityName, string Channel,
    string ChannelName, double Value, string Unit, DateTimeOffset RaisedAt, bool Acknowledged, string? AcknowledgedBy, DateTimeOffset? ClearedAt);

public sealed record PageLink(string State, long Connects, long Failures, bool Receipts, double? LastReceiptAgeSeconds);

public sealed record PageBuffer(long Backlog, double OldestUnsentAgeSeconds, long Unreceipted, double OldestUnreceiptedAgeSeconds);

public sealed record PageClock(bool Trusted, long Jumps);

public sealed record PageTexts(string Lang, string Locale, string Decimal, string Group, bool PinRequired, Dictionary<string, string> Texts);

public sealed record PageError(string Error);

public sealed record PageAcknowledged(IReadOnlyList<string> Acknowledged);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PageSnapshot))]
[JsonSerializable(typeof(PageTexts))]
[JsonSerializable(typeof(PageError))]
[JsonSerializable(typeof(PageAcknowledged))]
[JsonSerializable(typeof(LocalPageApi.AcknowledgeRequest))]
internal sealed partial class LocalPageJson : JsonSerializerContext;
