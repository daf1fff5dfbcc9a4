using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Storage;

/// <summary>InfluxDB refused the points themselves (HTTP 400): retrying the same lines cannot succeed.</summary>
public sealed class PointsRejectedException(string message) : Exception(message);

/// <summary>InfluxDB is unavailable or asked us to slow down (5xx, 429, network error); retry later.</summary>
public sealed class TransientWriteException(string message, TimeSpan? retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Writes line protocol to InfluxDB over HttpClient. Hand-written because InfluxDB.Client is not
/// served by the package registry here (and speaks only the v2 API); the v1 /write endpoint it
/// uses by default is served by InfluxDB 1.x, by 2.x's compatibility API and by InfluxDB 3.
/// One attempt per call: retry policy lives with the caller, which knows what an ack depends on.
/// </summary>
public sealed class InfluxWriter(HttpClient http, IOptions<InfluxOptions> options)
{
    private readonly InfluxOptions _o = options.Value;

    public async Task WriteAsync(string lineProtocol, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WriteUri());
        var body = Encoding.UTF8.GetBytes(lineProtocol);
        if (_o.Gzip)
        {
            using var buffer = new MemoryStream();
            await using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                await gz.WriteAsync(body, ct);
            request.Content = new ByteArrayContent(buffer.ToArray());
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            request.Content = new ByteArrayContent(body);
        }
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        Authorize(request);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} timed out", null, ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.BadRequest)
                throw new PointsRejectedException(Trim(text));
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500)
                throw new TransientWriteException($"InfluxDB answered {(int)response.StatusCode}: {Trim(text)}", RetryAfter(response));
            // 401/403/404/413: configuration problems; retrying keeps the data safe until someone fixes it.
            throw new TransientWriteException($"InfluxDB answered {(int)response.StatusCode} (check url, database and credentials): {Trim(text)}", RetryAfter(response));
        }
    }

    /// <summary>Creates the database if it does not exist (v1; CREATE DATABASE is idempotent).</summary>
    public async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        if (_o.Api != InfluxApi.V1 || !_o.CreateDatabase) return;
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint("query"))
        {
            Content = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{_o.Database.Replace("\"", "\\\"")}\"")]),
        };
        Authorize(request);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new TransientWriteException($"CREATE DATABASE answered {(int)response.StatusCode}: {Trim(await response.Content.ReadAsStringAsync(ct))}", RetryAfter(response));
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
    }

    /// <summary>Runs an InfluxQL query over the v1 API (GET /query, epoch=ns) and returns the JSON response.</summary>
    public async Task<System.Text.Json.JsonDocument> QueryAsync(string influxQl, CancellationToken ct)
    {
        var uri = Endpoint($"query?db={Uri.EscapeDataString(_o.Database)}&epoch=ns&q={Uri.EscapeDataString(influxQl)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        Authorize(request);
        try
        {
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new TransientWriteException($"InfluxDB query answered {(int)response.StatusCode}: {Trim(body)}", RetryAfter(response));
            return System.Text.Json.JsonDocument.Parse(body);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
    }

    private Uri WriteUri()
    {
        var q = new List<string>();
        string path;
        if (_o.Api == InfluxApi.V2)
        {
            path = "api/v2/write";
            q.Add("org=" + Uri.EscapeDataString(_o.Org ?? ""));
            q.Add("bucket=" + Uri.EscapeDataString(_o.Bucket ?? _o.Database));
        }
        else
        {
            path = "write";
            q.Add("db=" + Uri.EscapeDataString(_o.Database));
            if (!string.IsNullOrEmpty(_o.RetentionPolicy)) q.Add("rp=" + Uri.EscapeDataString(_o.RetentionPolicy));
        }
        q.Add("precision=ns");
        return Endpoint(path + "?" + string.Join('&', q));
    }

    private Uri Endpoint(string relative) =>
        new(new Uri(_o.Url.EndsWith('/') ? _o.Url : _o.Url + "/"), relative);

    private void Authorize(HttpRequestMessage request) => _o.Authorize(request);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        if (h?.Delta is { } delta) return delta;
        if (h?.Date is { } date) return date - DateTimeOffset.UtcNow is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return null;
    }

    private static string Trim(string s) => s.Length <= 500 ? s.Trim() : s[..500] + "…";
}
