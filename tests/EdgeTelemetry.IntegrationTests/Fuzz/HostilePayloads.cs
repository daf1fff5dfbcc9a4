using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeTelemetry.IntegrationTests.Fuzz;

/// <summary>
/// Generates hostile telemetry payloads from a seed: mutations of a valid envelope (a member
/// removed, retyped, emptied, made huge, given line breaks, control characters or odd unicode,
/// extreme or non-finite numbers) and raw damage (random bytes, bit flips, truncation, deep
/// nesting, duplicated members, JSON of the wrong shape). The same seed gives the same payloads.
/// </summary>
public sealed class HostilePayloads(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Strange =
    [
        "", "\n", "abc\n", "\r\n", "\u0000", "x\u0000y", "\u001b[31m", "é", "😀", "\u202e", "\ud800", "\\", "\"", "a b,c=d",
        "centrifuge\n", "process_batch", "rejects", "-", "DROP MEASUREMENT rejects", new string('a', 70), "$", "%", "+", "#",
    ];

    private static readonly JsonNode?[] Retyped =
    [
        null, true, false, 0, -1, "x", 1.5, 1e308, -1e308, 5e-324, long.MaxValue, long.MinValue, 9007199254740993L,
        "NaN", "Infinity", "-Infinity",
    ];

    public string Kind { get; private set; } = "";

    /// <summary>Below the shipped broker's max_packet_size (266240), so the broker delivers every one to the central service.</summary>
    public const int MaxBytes = 250_000;

    public byte[] Next(string site, string device, long nowNs)
    {
        var payload = NextUnbounded(site, device, nowNs);
        if (payload.Length <= MaxBytes) return payload;
        Kind += "+cut";
        return payload[..MaxBytes];
    }

    private byte[] NextUnbounded(string site, string device, long nowNs)
    {
        var valid = Valid(site, device, nowNs);
        var pick = _random.Next(100);
        if (pick < 65) return Mutated(valid);
        if (pick < 72) { Kind = "bit_flip"; return BitFlips(Bytes(valid)); }
        if (pick < 77) { Kind = "truncated"; var b = Bytes(valid); return b[..(_random.Next(b.Length))]; }
        if (pick < 81) { Kind = "random_bytes"; var b = new byte[_random.Next(0, 2048)]; _random.NextBytes(b); return b; }
        if (pick < 85) { Kind = "deep_nesting"; return DeepNesting(valid); }
        if (pick < 90) { Kind = "duplicated_member"; return DuplicatedMember(valid); }
        if (pick < 95) { Kind = "wrong_shape"; return Encoding.UTF8.GetBytes(new[] { "[]", "\"str\"", "42", "null", "{}", "[{\"v\":1}]", "true" }[_random.Next(7)]); }
        Kind = "many_samples";
        var samples = valid["samples"]!.AsArray();
        var first = samples[0]!.ToJsonString();
        var count = _random.Next(500, 1500);
        var many = new StringBuilder(first.Length * count);
        for (var i = 0; i < count; i++) { if (i > 0) many.Append(','); many.Append(first); }
        return Encoding.UTF8.GetBytes(valid.ToJsonString().Replace(samples.ToJsonString(), "[" + many + "]"));
    }

    private static JsonObject Valid(string site, string device, long nowNs) => new()
    {
        ["v"] = 1, ["site"] = site, ["device"] = device, ["stream"] = "fz", ["agent"] = "0.1.0", ["sent"] = nowNs,
        ["samples"] = new JsonArray(Sample(1, nowNs), Sample(2, nowNs + 1_000_000)),
    };

    private static JsonObject Sample(long seq, long t) => new()
    {
        ["seq"] = seq, ["t"] = t, ["m"] = "centrifuge", ["eq"] = "icon-1",
        ["r"] = new JsonArray(
            new JsonObject { ["n"] = "bowl_speed", ["v"] = 400.5, ["u"] = "rpm" },
            new JsonObject { ["n"] = "bowl_g", ["v"] = 60.1, ["u"] = "G" }),
    };

    private byte[] Mutated(JsonObject root)
    {
        var kinds = new List<string>();
        for (var n = 1 + _random.Next(3); n > 0; n--)
        {
            var nodes = new List<(JsonNode Parent, object Key)>();
            Collect(root, nodes);
            var (parent, key) = nodes[_random.Next(nodes.Count)];
            kinds.Add(Mutate(parent, key));
        }
        Kind = string.Join("+", kinds);
        return Bytes(root);
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList()) { into.Add((o, k)); if (v is not null) Collect(v, into); }
        else if (node is JsonArray a)
            for (var i = 0; i < a.Count; i++) { into.Add((a, i)); if (a[i] is { } v) Collect(v, into); }
    }

    private string Mutate(JsonNode parent, object key)
    {
        JsonNode? Get() => key is string k ? parent.AsObject()[k] : parent.AsArray()[(int)key];
        void Set(JsonNode? value) { if (key is string k) parent.AsObject()[k] = value; else parent.AsArray()[(int)key] = value; }
        switch (_random.Next(7))
        {
            case 0:
                if (key is string name) parent.AsObject().Remove(name); else parent.AsArray().RemoveAt((int)key);
                return "removed";
            case 1: Set(Retyped[_random.Next(Retyped.Length)]?.DeepClone()); return "retyped";
            case 2: Set(_random.Next(3) switch { 0 => "", 1 => new JsonArray(), _ => new JsonObject() }); return "emptied";
            case 3: Set(_random.Next(2) == 0 ? new string('z', _random.Next(60_000, 120_000)) : JsonValue.Create(double.MaxValue)); return "huge";
            case 4: Set((Get() is JsonValue v && v.TryGetValue<string>(out var s) ? s : "x") + Strange[_random.Next(Strange.Length)]); return "strange_string";
            case 5: Set(Strange[_random.Next(Strange.Length)]); return "replaced_string";
            default:
                var parentArray = parent as JsonArray;
                if (parentArray is not null && Get() is { } item) { parentArray.Add(item.DeepClone()); return "duplicated_element"; }
                Set(JsonValue.Create(new[] { long.MaxValue, long.MinValue, 0L, -1L, 9007199254740993L, 1L << 62 }[_random.Next(6)]));
                return "extreme_number";
        }
    }

    private byte[] BitFlips(byte[] bytes)
    {
        for (var n = 1 + _random.Next(8); n > 0; n--) bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
        return bytes;
    }

    private byte[] DeepNesting(JsonObject valid)
    {
        var depth = _random.Next(65, 5000);
        var json = valid.ToJsonString();
        var nested = new string('[', depth) + new string(']', depth);
        return Encoding.UTF8.GetBytes(json.Replace("\"agent\":\"0.1.0\"", "\"agent\":" + nested));
    }

    private byte[] DuplicatedMember(JsonObject valid)
    {
        var json = valid.ToJsonString();
        var member = new[] { "\"samples\":[]", "\"stream\":\"other\"", "\"device\":\"someone-else\"", "\"v\":2", "\"samples\":" + valid["samples"]!.ToJsonString() }[_random.Next(5)];
        return Encoding.UTF8.GetBytes(json.Insert(json.Length - 1, "," + member));
    }

    private static readonly JsonSerializerOptions Write = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Write));
}
