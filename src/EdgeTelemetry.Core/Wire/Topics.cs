using System.Text.RegularExpressions;

namespace EdgeTelemetry.Wire;

/// <summary>Receipts flow central → device; the central service never ingests that topic, so <see cref="Topics.TryParse"/> does not accept it.</summary>
public enum TopicKind { Telemetry, Events, Status, Receipts }

/// <summary>A parsed topic: <c>edgetelemetry/v1/{site}/{device}/{kind}</c>.</summary>
public readonly record struct DeviceTopic(string Site, string Device, TopicKind Kind);

/// <summary>
/// The topic namespace (docs/wire-protocol.md). Site and device ids are restricted to a safe
/// alphabet so they can be topic levels, ACL usernames (<c>%u</c>) and InfluxDB tags unescaped.
/// </summary>
public static partial class Topics
{
    public const string Root = "edgetelemetry/v1";

    /// <summary>
    /// Retained announcement by the central service that it sends receipts ("_central" is no valid
    /// id, so no device can publish here under the ACL's %u pattern).
    /// </summary>
    public const string CentralCapabilities = Root + "/_central/capabilities";

    // \z, not $: in .NET "$" also matches before a trailing "\n", which would let "site\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static string For(string site, string device, TopicKind kind)
    {
        if (!IsValidId(site)) throw new ArgumentException($"site id '{site}' must match [a-z0-9][a-z0-9_-]{{0,63}}", nameof(site));
        if (!IsValidId(device)) throw new ArgumentException($"device id '{device}' must match [a-z0-9][a-z0-9_-]{{0,63}}", nameof(device));
        return $"{Root}/{site}/{device}/{KindName(kind)}";
    }

    /// <summary>Subscription filter for every device's topics of one kind.</summary>
    public static string AllDevices(TopicKind kind) => $"{Root}/+/+/{KindName(kind)}";

    public static string KindName(TopicKind kind) => kind switch
    {
        TopicKind.Telemetry => "telemetry",
        TopicKind.Events => "events",
        TopicKind.Status => "status",
        TopicKind.Receipts => "receipts",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Where a device publishes a wire-v2 channel dictionary (retained): …/{site}/{device}/dictionary/{id}.</summary>
    public static string DictionaryFor(string site, string device, ulong id) =>
        $"{Root}/{site}/{device}/dictionary/{V2.WireV2.TopicId(id)}";

    /// <summary>Subscription filter for every device's dictionaries.</summary>
    public const string AllDictionaries = Root + "/+/+/dictionary/+";

    /// <summary>Parses a dictionary topic; the id must be in the one form <see cref="V2.WireV2.TopicId"/> writes.</summary>
    public static bool TryParseDictionary(string topic, out string site, out string device, out ulong id)
    {
        (site, device, id) = ("", "", 0);
        var parts = topic.Split('/');
        if (parts.Length != 6 || parts[0] != "edgetelemetry" || parts[1] != "v1" || parts[4] != "dictionary") return false;
        if (!IsValidId(parts[2]) || !IsValidId(parts[3]) || !V2.WireV2.TryParseTopicId(parts[5], out id)) return false;
        (site, device) = (parts[2], parts[3]);
        return true;
    }

    public static bool TryParse(string topic, out DeviceTopic parsed)
    {
        parsed = default;
        var parts = topic.Split('/');
        if (parts.Length != 5 || parts[0] != "edgetelemetry" || parts[1] != "v1") return false;
        if (!IsValidId(parts[2]) || !IsValidId(parts[3])) return false;
        TopicKind? kind = parts[4] switch
        {
            "telemetry" => TopicKind.Telemetry,
            "events" => TopicKind.Events,
            "status" => TopicKind.Status,
            _ => null,
        };
        if (kind is null) return false;
        parsed = new DeviceTopic(parts[2], parts[3], kind.Value);
        return true;
    }
}
