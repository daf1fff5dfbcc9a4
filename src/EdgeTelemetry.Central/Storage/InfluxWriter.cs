using System.IO.Compression;
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
/// Writes line protocol to InfluxDB. <c>Influx:Api=V1</c> (default): <c>POST /write</c> over HttpClient, hand-written
/// because InfluxDB.Client speaks only the v2 API and so cannot write to InfluxDB before 1.8, while /write is
/// served by InfluxDB 1.x, by 2.x's compatibility API and by InfluxDB 3. <c>V2</c>: through InfluxDB.Client
/// (<see cref="InfluxV2Writer"/>). Both signal a refused write with <see cref="PointsRejectedException"/> and
/// anything worth retrying with <see cref="TransientWriteException"/>. One attempt per call: retry policy lives
/// with the caller, which knows what an ack depends on. Reads go through <see cref="InfluxQueryClient"/>.
/// </summary>
public sealed class InfluxWriter
{
    private readonly HttpClient _http;
    private readonly InfluxOptions _o;
    private readonly InfluxV2Writer? _v2;
    private readonly RetentionLayout? _layout;

    /// <param name="layout">Where each measurement's points go (retention policies); without it everything goes to Influx:RetentionPolicy.</param>
    public InfluxWriter(HttpClient http, IOptions<InfluxOptions> options, RetentionLayout? layout = null)
    {
        _http = http;
        _o = options.Value;
        if (_o.Api == InfluxApi.V2) _v2 = new InfluxV2Writer(http, _o);
        _layout = layout is { Enabled: true } ? layout : null;
    }

    public Task WriteAsync(string lineProtocol, CancellationToken ct) =>
        _v2 is not null ? _v2.WriteAsync(lineProtocol, ct) : WriteRoutedAsync([Encoding.UTF8.GetBytes(lineProtocol)], ct);

    /// <summary>
    /// Writes line protocol given as UTF-8 bodies (each of whole lines), sent as one request body without being
    /// joined: the ingest path hands its pooled per-message buffers straight to the socket.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken ct) =>
        _v2 is not null ? _v2.WriteAsync(Joined(bodies), ct) : WriteRoutedAsync(bodies, ct);

    // InfluxDB.Client takes a string; the v2 path pays for one.
    private static string Joined(IReadOnlyList<ReadOnlyMemory<byte>> bodies)
    {
        var sb = new StringBuilder();
        foreach (var b in bodies) sb.Append(Encoding.UTF8.GetString(b.Span));
        return sb.ToString();
    }

    /// <summary>
    /// One /write per retention policy (rp is a query parameter). A failure after the first part is retried as a whole
    /// by the caller; the part already stored is written again as the same points, which InfluxDB keeps once.
    /// </summary>
    private async Task WriteRoutedAsync(IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken ct)
    {
        if (_layout is null)
        {
            await WriteV1Async(bodies, _o.RetentionPolicy, ct);
            return;
        }
        foreach (var (policy, segments) in _layout.Route(bodies)) await WriteV1Async(segments, policy ?? _o.RetentionPolicy, ct);
    }

    private async Task WriteV1Async(IReadOnlyList<ReadOnlyMemory<byte>> segments, string? policy, CancellationToken ct)
    {
        long length = 0;
        foreach (var s in segments) length += s.Length;
        if (length == 0) return;
        using var request = new HttpRequestMessage(HttpMethod.Post, WriteUri(policy));
        if (_o.UseGzip)
        {
            using var buffer = new MemoryStream();
            await using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                foreach (var s in segments) await gz.WriteAsync(s, ct);
            request.Content = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            request.Content = new SegmentsContent(segments, length);
        }
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        Authorize(request);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
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
            throw InfluxWriteFailure.FromStatus((int)response.StatusCode, text, RetryAfter(response), "url, database and credentials");
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
            using var response = await _http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new TransientWriteException($"CREATE DATABASE answered {(int)response.StatusCode}: {Trim(await response.Content.ReadAsStringAsync(ct))}", RetryAfter(response));
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
        // Retention policies and rollups (RetentionSchema), before the first write names a policy.
        if (_layout is not null) await new RetentionSchema(_http, _o, _layout).EnsureAsync(ct);
    }

    private Uri WriteUri(string? policy)
    {
        var q = new List<string> { "db=" + Uri.EscapeDataString(_o.Database) };
        if (!string.IsNullOrEmpty(policy)) q.Add("rp=" + Uri.EscapeDataString(policy));
        q.Add("precision=ns");
        return Endpoint("write?" + string.Join('&', q));
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

    private static string Trim(string s) => InfluxWriteFailure.Trim(s);

    /// <summary>A request body of several buffers, written one after the other (re-sendable: nothing is consumed).</summary>
    private sealed class SegmentsContent(IReadOnlyList<ReadOnlyMemory<byte>> segments, long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken ct)
        {
            foreach (var s in segments) await stream.WriteAsync(s, ct);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long l)
        {
            l = length;
            return true;
        }
    }
}
