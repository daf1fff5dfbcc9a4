using System.IO.Compression;
using System.Net;
using System.Text;
using EdgeTelemetry.Central.Storage;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Tests.Storage;

/// <summary>
/// HTTP-level behaviour of the writer (request shape, status handling). What InfluxDB does with
/// the lines is proven against a real influxd in the integration tests.
/// </summary>
public class InfluxWriterTests
{
    private sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Add((request, request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct)));
            return respond(request);
        }
    }

    private static (InfluxWriter, RecordingHandler) Create(InfluxOptions o, Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        var handler = new RecordingHandler(respond);
        return (new InfluxWriter(new HttpClient(handler), Options.Create(o)), handler);
    }

    [Fact]
    public async Task V1_write_posts_gzipped_lines_to_write_with_db_rp_and_ns_precision()
    {
        var (writer, handler) = Create(new InfluxOptions { Url = "http://influx:8086", Database = "plant db", RetentionPolicy = "autogen", Username = "u", Password = "p" },
            _ => new HttpResponseMessage(HttpStatusCode.NoContent));

        await writer.WriteAsync("m f=1 1\n", default);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal("http://influx:8086/write?db=plant%20db&rp=autogen&precision=ns", request.RequestUri!.AbsoluteUri);
        Assert.Equal("gzip", Assert.Single(request.Content!.Headers.ContentEncoding));
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        using var gz = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        Assert.Equal("m f=1 1\n", new StreamReader(gz, Encoding.UTF8).ReadToEnd());
    }

    [Fact]
    public async Task V2_write_uses_org_bucket_and_token()
    {
        var (writer, handler) = Create(new InfluxOptions { Url = "http://influx:8086/", Api = InfluxApi.V2, Org = "pure earth", Bucket = "plant", Token = "secret", Gzip = false },
            _ => new HttpResponseMessage(HttpStatusCode.NoContent));

        await writer.WriteAsync("m f=1 1\n", default);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal("http://influx:8086/api/v2/write?org=pure%20earth&bucket=plant&precision=ns", request.RequestUri!.AbsoluteUri);
        Assert.Equal(("Token", "secret"), (request.Headers.Authorization!.Scheme, request.Headers.Authorization.Parameter));
        Assert.Equal("m f=1 1\n", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData(InfluxApi.V1, """{"error":"partial write: field type conflict"}""")]
    [InlineData(InfluxApi.V2, """{"code":"invalid","message":"partial write: field type conflict"}""")]
    public async Task Bad_request_is_a_rejection_of_the_points_with_influx_error_text(InfluxApi api, string answer)
    {
        var (writer, _) = Create(new InfluxOptions { Api = api, Org = "pure-earth" }, _ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(answer, Encoding.UTF8, "application/json"),
        });
        var ex = await Assert.ThrowsAsync<PointsRejectedException>(() => writer.WriteAsync("m f=1 1\n", default));
        Assert.Contains("field type conflict", ex.Message);
    }

    [Theory]
    [InlineData(InfluxApi.V1, HttpStatusCode.TooManyRequests)]
    [InlineData(InfluxApi.V1, HttpStatusCode.ServiceUnavailable)]
    [InlineData(InfluxApi.V1, HttpStatusCode.InternalServerError)]
    [InlineData(InfluxApi.V2, HttpStatusCode.TooManyRequests)]
    [InlineData(InfluxApi.V2, HttpStatusCode.ServiceUnavailable)]
    [InlineData(InfluxApi.V2, HttpStatusCode.InternalServerError)]
    public async Task Overload_and_server_errors_are_transient_and_carry_retry_after(InfluxApi api, HttpStatusCode status)
    {
        var (writer, _) = Create(new InfluxOptions { Api = api, Org = "pure-earth" }, _ =>
        {
            var r = new HttpResponseMessage(status);
            r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return r;
        });
        var ex = await Assert.ThrowsAsync<TransientWriteException>(() => writer.WriteAsync("m f=1 1\n", default));
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
    }

    [Theory]
    [InlineData(InfluxApi.V1, HttpStatusCode.Unauthorized)]
    [InlineData(InfluxApi.V1, HttpStatusCode.Forbidden)]
    [InlineData(InfluxApi.V1, HttpStatusCode.NotFound)]
    [InlineData(InfluxApi.V2, HttpStatusCode.Unauthorized)]
    [InlineData(InfluxApi.V2, HttpStatusCode.Forbidden)]
    [InlineData(InfluxApi.V2, HttpStatusCode.NotFound)]
    public async Task Credential_and_target_errors_are_retried_not_dead_lettered(InfluxApi api, HttpStatusCode status)
    {
        var (writer, _) = Create(new InfluxOptions { Api = api, Org = "pure-earth" }, _ => new HttpResponseMessage(status)
        {
            Content = new StringContent("""{"code":"unauthorized","message":"unauthorized access"}""", Encoding.UTF8, "application/json"),
        });
        var ex = await Assert.ThrowsAsync<TransientWriteException>(() => writer.WriteAsync("m f=1 1\n", default));
        Assert.Contains($"InfluxDB answered {(int)status} (check ", ex.Message);
    }

    [Theory]
    [InlineData(InfluxApi.V1)]
    [InlineData(InfluxApi.V2)]
    public async Task Unreachable_server_is_transient(InfluxApi api)
    {
        var (writer, _) = Create(new InfluxOptions { Api = api, Org = "pure-earth" }, _ => throw new HttpRequestException("connection refused"));
        var ex = await Assert.ThrowsAsync<TransientWriteException>(() => writer.WriteAsync("m f=1 1\n", default));
        Assert.Null(ex.RetryAfter);
    }

    [Fact]
    public void V2_without_an_org_is_a_configuration_error_at_start()
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(new InfluxOptions { Api = InfluxApi.V2 }, _ => new HttpResponseMessage(HttpStatusCode.NoContent)));
        Assert.Contains("Influx:Org", ex.Message);
    }

    [Fact]
    public async Task Ensure_database_sends_create_database_on_v1_only()
    {
        var (v1, h1) = Create(new InfluxOptions { Database = "edge\"db" }, _ => new HttpResponseMessage(HttpStatusCode.OK));
        await v1.EnsureDatabaseAsync(default);
        var (request, body) = Assert.Single(h1.Requests);
        Assert.EndsWith("/query", request.RequestUri!.AbsolutePath);
        Assert.Equal("q=CREATE+DATABASE+%22edge%5C%22db%22", Encoding.UTF8.GetString(body));

        var (v2, h2) = Create(new InfluxOptions { Api = InfluxApi.V2, Org = "pure-earth" }, _ => new HttpResponseMessage(HttpStatusCode.OK));
        await v2.EnsureDatabaseAsync(default);
        Assert.Empty(h2.Requests);
    }
}
