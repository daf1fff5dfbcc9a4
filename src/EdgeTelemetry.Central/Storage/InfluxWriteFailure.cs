namespace EdgeTelemetry.Central.Storage;

/// <summary>
/// How an unsuccessful write answer maps to ingest's rules, the same for the v1 and v2 write paths: 400 means the
/// points themselves were refused (dead-letter them, a retry cannot succeed); 429, 408 and 5xx mean InfluxDB is
/// busy or down; other 4xx (401/403 credentials, 404 database/bucket/org, 413 size) are configuration problems,
/// retried so the data stays safe until someone fixes them.
/// </summary>
internal static class InfluxWriteFailure
{
    public static Exception FromStatus(int status, string body, TimeSpan? retryAfter, string hint)
    {
        if (status == 400) return new PointsRejectedException(Trim(body));
        if (status is 429 or 408 || status >= 500) return new TransientWriteException($"InfluxDB answered {status}: {Trim(body)}", retryAfter);
        return new TransientWriteException($"InfluxDB answered {status} (check {hint}): {Trim(body)}", retryAfter);
    }

    public static string Trim(string s) => s.Length <= 500 ? s.Trim() : s[..500] + "…";
}
