using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// Reads InfluxDB with InfluxQL over the v1 query API (<c>GET /query?db=&amp;epoch=ns</c>), which
/// InfluxDB 1.x, 2.x (compatibility API, DBRP mapping) and 3 Core all serve, beside <see cref="InfluxWriter"/>
/// and with the same <see cref="InfluxOptions"/>: the service's one query client (InfluxDB.Client has no InfluxQL). <see cref="StreamAsync"/> asks for a chunked answer
/// and parses it chunk by chunk, so an export of any length holds one chunk in memory at a time.
/// </summary>
public sealed class InfluxQueryClient(HttpClient http, IOptions<InfluxOptions> options)
{
    private readonly InfluxOptions _o = options.Value;

    /// <summary>The series of each statement (statements separated by ';').</summary>
    public async Task<IReadOnlyList<IReadOnlyList<InfluxSeries>>> QueryAsync(string influxQl, CancellationToken ct)
    {
        using var response = await SendAsync(influxQl, chunkSize: null, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        using var doc = ParseBody(body);
        var results = doc.RootElement.GetProperty("results");
        return results.EnumerateArray().Select(r => (IReadOnlyList<InfluxSeries>)InfluxSeries.FromResult(r)).ToList();
    }

    /// <summary>The raw JSON answer (<c>{"results":[…]}</c>), for a caller that reads rows in place.</summary>
    public async Task<JsonDocument> QueryJsonAsync(string influxQl, CancellationToken ct)
    {
        using var response = await SendAsync(influxQl, chunkSize: null, ct);
        return ParseBody(await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>The series of a single statement.</summary>
    public async Task<IReadOnlyList<InfluxSeries>> QuerySeriesAsync(string influxQl, CancellationToken ct)
    {
        var results = await QueryAsync(influxQl, ct);
        return results.Count == 0 ? [] : results[0];
    }

    /// <summary>
    /// Streams one statement's answer as it arrives: each item is a piece of a series (consecutive
    /// pieces with the same name and tags continue one series). InfluxDB sends one JSON object per
    /// line, each with at most <paramref name="chunkSize"/> rows.
    /// </summary>
    public async IAsyncEnumerable<InfluxSeries> StreamAsync(string influxQl, int chunkSize, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(influxQl, chunkSize, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(ct);
            }
            catch (IOException ex)
            {
                throw new InfluxUnavailableException($"InfluxDB at {_o.Url} broke off the answer: {ex.Message}", ex);
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            List<InfluxSeries> pieces;
            using (var doc = ParseBody(line))
            {
                if (!doc.RootElement.TryGetProperty("results", out var results)) continue;
                pieces = results.EnumerateArray().SelectMany(InfluxSeries.FromResult).ToList();
            }
            foreach (var piece in pieces) yield return piece;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string influxQl, int? chunkSize, CancellationToken ct)
    {
        var query = new StringBuilder("query?db=").Append(Uri.EscapeDataString(_o.Database)).Append("&epoch=ns");
        if (chunkSize is { } size) query.Append("&chunked=true&chunk_size=").Append(size);
        query.Append("&q=").Append(Uri.EscapeDataString(influxQl));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri(), query.ToString()));
        Authorize(request);
        HttpResponseMessage response;
        // Bounded until the answer starts; an export may then stream for as long as it needs.
        using var untilHeaders = CancellationTokenSource.CreateLinkedTokenSource(ct);
        untilHeaders.CancelAfter(TimeSpan.FromSeconds(_o.RequestTimeoutSeconds));
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, untilHeaders.Token);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxUnavailableException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new InfluxUnavailableException($"InfluxDB at {_o.Url} did not answer within {_o.RequestTimeoutSeconds} s", ex);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var detail = text.Length <= 300 ? text.Trim() : text[..300] + "…";
            // 400 carries InfluxQL errors (our query or a missing database); anything else means InfluxDB can't serve us now.
            if ((int)response.StatusCode == 400) throw new InfluxQueryException(ErrorOf(text) ?? detail);
            throw new InfluxUnavailableException($"InfluxDB answered {(int)response.StatusCode}: {detail}");
        }
    }

    private static JsonDocument ParseBody(string json)
    {
        var doc = JsonDocument.Parse(json);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            doc.Dispose();
            throw new InfluxQueryException(error.GetString() ?? "query failed");
        }
        return doc;
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Uri BaseUri() => new(_o.Url.EndsWith('/') ? _o.Url : _o.Url + "/");

    private void Authorize(HttpRequestMessage request) => _o.Authorize(request);
}
