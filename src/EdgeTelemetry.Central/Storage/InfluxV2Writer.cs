using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;

namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// Writes line protocol through InfluxDB.Client's async write API (<c>POST /api/v2/write?org=&amp;bucket=&amp;precision=ns</c>):
/// InfluxDB 2.x, Cloud and InfluxDB 3's v2 endpoint. Our serializer's lines go as one raw record, so no point objects are
/// built per reading; the client's exceptions are mapped to <see cref="PointsRejectedException"/> (400) and
/// <see cref="TransientWriteException"/> (everything else) by the same rules as the v1 path.
/// </summary>
internal sealed class InfluxV2Writer
{
    private readonly InfluxOptions _o;
    private readonly string _bucket;
    private readonly string _org;
    private readonly WriteApiAsync _write;

    /// <param name="http">The factory-managed client; InfluxDB.Client sends through it.</param>
    public InfluxV2Writer(HttpClient http, InfluxOptions o)
    {
        _o = o;
        _bucket = o.Bucket ?? o.Database;
        // InfluxDB.Client refuses every write without an org; InfluxDB 3 and VictoriaMetrics ignore its value.
        _org = !string.IsNullOrEmpty(o.Org) ? o.Org : throw new ArgumentException("Influx:Org is required with Influx:Api=V2 (InfluxDB 3 accepts any value)");
        var builder = InfluxDBClientOptions.Builder.CreateNew()
            .Url(o.Url)
            .Org(_org)
            .Bucket(_bucket)
            .TimeOut(TimeSpan.FromSeconds(o.RequestTimeoutSeconds))
            .SetHttpClient(http);
        // A token (2.x/3), or InfluxDB 1.8's v2 compatibility form "username:password".
        var token = !string.IsNullOrEmpty(o.Token) ? o.Token : !string.IsNullOrEmpty(o.Username) ? $"{o.Username}:{o.Password}" : null;
        if (token is not null) builder.AuthenticateToken(token);
        var client = new InfluxDBClient(builder.Build());
        if (o.UseGzip) client.EnableGzip();
        _write = client.GetWriteApiAsync();
    }

    public async Task WriteAsync(string lineProtocol, CancellationToken ct)
    {
        try
        {
            await _write.WriteRecordAsync(lineProtocol, WritePrecision.Ns, _bucket, _org, ct).ConfigureAwait(false);
        }
        catch (HttpException ex) when (ex.Status > 0)
        {
            throw InfluxWriteFailure.FromStatus(ex.Status, ex.Message, ex.RetryAfter is int s ? TimeSpan.FromSeconds(s) : null, "url, org, bucket and token");
        }
        catch (InfluxException ex)
        {
            // Status 0: no answer at all (connection refused, reset, DNS).
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} unreachable: {ex.Message}", null, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TransientWriteException($"InfluxDB at {_o.Url} timed out", null, ex);
        }
    }
}
