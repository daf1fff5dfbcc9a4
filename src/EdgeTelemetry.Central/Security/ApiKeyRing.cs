using System.Security.Cryptography;
using System.Text;
using EdgeTelemetry.Central.Apis;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Security;

/// <summary>
/// The configured API keys, held as SHA-256 digests. A presented key is hashed and compared with
/// every digest in constant time (no early exit), so neither the comparison nor the loop tells
/// an attacker how much of a guess was right. Hashing first also makes all lengths equal.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly (byte[] Digest, ApiKeyEntry Entry)[] _keys;

    public ApiKeyRing(IOptions<ApiOptions> options)
    {
        _keys = options.Value.Keys.Select(k => (Digest(k.Key), k)).ToArray();
    }

    public int Count => _keys.Length;

    public IEnumerable<string> DemoKeyNames => _keys.Select(k => k.Entry.Name).Where(n => n.StartsWith("demo-", StringComparison.Ordinal));

    public ApiKeyEntry? Find(string presented)
    {
        var digest = Digest(presented);
        ApiKeyEntry? match = null;
        foreach (var (candidate, entry) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, candidate)) match ??= entry;
        }
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>Refuses to start with keys that are empty, short, duplicated or mapped to an unknown role. Messages name the key, never show it.</summary>
public sealed class ApiOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiOptions>
{
    public const int MinKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var errors = new List<string>();
        // The demo keys are public: only the Development environment (demo, local tests) may use them.
        if (!environment.IsDevelopment())
            foreach (var k in options.Keys.Where(k => k.Name.StartsWith("demo-", StringComparison.Ordinal) || k.Key.StartsWith("demo-", StringComparison.Ordinal)))
                errors.Add($"API key '{k.Name}' is a public demo key and this is the {environment.EnvironmentName} environment: " +
                    "set your own keys with Api:KeysFile=/etc/edgetelemetry/api-keys.json (replaces the whole list; see docs/api.md)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var k = options.Keys[i];
            var label = string.IsNullOrWhiteSpace(k.Name) ? $"Api:Keys:{i}" : $"Api:Keys:{i} ({k.Name})";
            if (string.IsNullOrWhiteSpace(k.Name)) errors.Add($"{label}: Name is required");
            if (k.Key.Length < MinKeyLength) errors.Add($"{label}: Key must be at least {MinKeyLength} characters");
            if (!Roles.IsKnown(k.Role)) errors.Add($"{label}: Role must be one of {string.Join(", ", Roles.Ordered)}");
            if (k.Key.Length > 0 && !seen.Add(k.Key)) errors.Add($"{label}: Key is the same as an earlier entry's");
        }
        if (options.GapThresholdSeconds <= 0) errors.Add("Api:GapThresholdSeconds must be greater than 0");
        if (options.SiteActionLevelUgM3 <= 0) errors.Add("Api:SiteActionLevelUgM3 must be greater than 0");
        foreach (var (site, level) in options.SiteActionLevels)
            if (level <= 0) errors.Add($"Api:SiteActionLevels:{site} must be greater than 0");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
