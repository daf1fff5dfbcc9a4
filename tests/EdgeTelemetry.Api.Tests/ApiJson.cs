using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EdgeTelemetry.Api.Tests;

/// <summary>Small helpers to send JSON and read answers as JsonElement (the API's camelCase shape, as a client sees it).</summary>
public static class ApiJson
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object body)
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = body is string raw ? new StringContent(raw, System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body),
        };
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The messages of one field in a validation problem's "errors".</summary>
    public static string[] Errors(this JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var e) ? e.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];

    public static double Num(this JsonElement e, string name) => e.GetProperty(name).GetDouble();

    public static string? Str(this JsonElement e, string name) => e.GetProperty(name).GetString();

    public static bool IsNull(this JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null;
}
