using System.Text.Json;
using EdgeTelemetry.Central.Apis;

namespace EdgeTelemetry.Central.Security;

/// <summary>
/// <c>Api:KeysFile</c>: a JSON file <c>{"Keys":[{"Name":…,"Key":…,"Role":…}]}</c> readable only by the
/// service. It replaces the whole key list — configuration merges lists index by index, so an
/// override such as <c>Api__Keys__0__Key</c> would leave the other entries in force.
/// </summary>
public static class ApiKeysFile
{
    public static void Apply(ApiOptions options, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return;
        try
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<KeysFile>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip });
            options.Keys = file?.Keys ?? throw new InvalidOperationException($"Api:KeysFile {path}: no \"Keys\" list");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidOperationException($"Api:KeysFile {path}: {ex.Message}", ex);
        }
    }

    private sealed class KeysFile
    {
        public List<ApiKeyEntry>? Keys { get; set; }
    }
}
