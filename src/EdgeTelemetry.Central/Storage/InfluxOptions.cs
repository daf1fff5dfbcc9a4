using System.Net.Http.Headers;
using System.Text;

namespace EdgeTelemetry.Central.Storage;

public enum InfluxApi { V1, V2 }

/// <summary>Where and how points are written (section "Influx").</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    public string Url { get; set; } = "http://127.0.0.1:8086";
    /// <summary>V1 (/write + /query: InfluxDB 1.x, 2.x compatibility API, 3) or V2 (/api/v2/write).</summary>
    public InfluxApi Api { get; set; } = InfluxApi.V1;
    public string Database { get; set; } = "edgetelemetry";
    public string? RetentionPolicy { get; set; }
    public string? Org { get; set; }
    public string? Bucket { get; set; }
    public string? Token { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>Compress write bodies. Unset: only when InfluxDB is not on this host — on loopback gzip
    /// costs ~15 % of throughput (docs/benchmarks.md §3) and saves nothing that is paid for.</summary>
    public bool? Gzip { get; set; }
    public bool UseGzip => Gzip ?? !(Uri.TryCreate(Url, UriKind.Absolute, out var u) && u.IsLoopback);
    /// <summary>Writes to InfluxDB in flight at once; messages are still acknowledged (and receipted) in order, each only after its write.</summary>
    public int MaxConcurrentWrites { get; set; } = 2;
    /// <summary>Create the database on start (v1 only; a 2.x/3 bucket is provisioned by its admin).</summary>
    public bool CreateDatabase { get; set; } = true;
    public int MaxBatchPoints { get; set; } = 5000;
    public int FlushIntervalMs { get; set; } = 200;
    public int RequestTimeoutSeconds { get; set; } = 30;
    public double RetryMaxDelaySeconds { get; set; } = 30;

    /// <summary>Credentials for every request to InfluxDB: a token (2.x/3) or user/password (1.x, 2.x compatibility).</summary>
    public void Authorize(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(Token))
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", Token);
        else if (!string.IsNullOrEmpty(Username))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));
    }
}
