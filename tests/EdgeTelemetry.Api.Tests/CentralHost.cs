using System.Collections.Concurrent;
using System.Net.Http.Headers;
using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Api.Tests;

/// <summary>
/// The real central service (CentralApp.Build) on loopback Kestrel, pointed at a fresh database of
/// the shared influxd, with one API key per role. The broker port is closed unless given: the
/// ingest service just keeps retrying, which these API tests do not need.
/// </summary>
public sealed class CentralHost : IAsyncDisposable
{
    public const string Site = "md-test";
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["operator"] = "operator-key-7f3a9c2e51d04b88",
        ["technician"] = "technician-key-0b6e4d1a93c27f55",
        ["researcher"] = "researcher-key-c81f2a7d4e9b3066",
        ["admin"] = "admin-key-5d29e8b1f04a7c3d",
    };

    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];

    private CentralHost(WebApplication app, InfluxDbServer influx, string database, LogCapture logs)
    {
        _app = app;
        Influx = influx;
        Database = database;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
    }

    public InfluxDbServer Influx { get; }
    public string Database { get; }
    public Uri BaseAddress { get; }
    public LogCapture Logs { get; }
    public IServiceProvider Services => _app.Services;

    public static string NewDatabase() => "api_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Starts the service on a database (created first, so seeding may happen before or after).</summary>
    public static async Task<CentralHost> StartAsync(InfluxDbServer influx, string? database = null, int? brokerPort = null, params string[] extraArgs)
    {
        database ??= NewDatabase();
        await influx.ExecuteAsync($"CREATE DATABASE \"{database}\"");
        var logs = new LogCapture();
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Influx:Url={influx.Url}",
            $"--Influx:Database={database}",
            $"--Ingest:BrokerPort={brokerPort ?? ChildProcess.FreePort()}",
            $"--Ingest:ClientId=api-test-{Guid.NewGuid():N}",
            "--Ingest:ReconnectMaxSeconds=1",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:EdgeTelemetry.Central.Ingest=Error",
            .. KeyArgs(),
            .. extraArgs,
        ];
        var app = CentralApp.Build(args, b => b.Logging.AddProvider(logs));
        await app.StartAsync();
        return new CentralHost(app, influx, database, logs);
    }

    /// <summary>Overrides all four demo entries of appsettings.json, so only the test keys exist.</summary>
    private static IEnumerable<string> KeyArgs() => Keys.Select((k, i) => new[]
    {
        $"--Api:Keys:{i}:Name=test-{k.Key}", $"--Api:Keys:{i}:Key={k.Value}", $"--Api:Keys:{i}:Role={k.Key}",
    }).SelectMany(a => a);

    /// <summary>A client that sends the given role's key in X-Api-Key (null role: no key at all).</summary>
    public HttpClient Client(string? role = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (role is not null) client.DefaultRequestHeaders.Add("X-Api-Key", Keys[role]);
        _clients.Add(client);
        return client;
    }

    public HttpClient ClientWithHeader(string name, string value)
    {
        var client = Client();
        if (name == "Authorization") client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(value);
        else client.DefaultRequestHeaders.Add(name, value);
        return client;
    }

    public async Task WriteAsync(IEnumerable<Point> points)
    {
        var list = points.ToList();
        await Influx.WriteAsync(Database, LineProtocolWriter.Write(list));
        if (list.Count > 0) await BackfillRollupsAsync(list.Min(p => p.TimestampNs), list.Max(p => p.TimestampNs));
    }

    public async Task WriteAsync(string lineProtocol)
    {
        await Influx.WriteAsync(Database, lineProtocol);
        var times = lineProtocol.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..])).ToList();
        if (times.Count > 0) await BackfillRollupsAsync(times.Min(), times.Max());
    }

    /// <summary>
    /// Seeds are written straight to InfluxDB, in the past, where no continuous query will pass again: roll them up as an
    /// operator does after an import (<c>retention backfill</c>), so reads that pick a rollup see them.
    /// </summary>
    private async Task BackfillRollupsAsync(long fromNs, long toNs)
    {
        using var http = new HttpClient();
        var schema = new RetentionSchema(http, Services.GetRequiredService<IOptions<InfluxOptions>>().Value, Services.GetRequiredService<RetentionLayout>());
        await schema.EnsureAsync(default); // the service may not have created the policies yet
        await schema.BackfillAsync(EdgeTelemetry.Model.Time.FromUnixNanoseconds(fromNs), EdgeTelemetry.Model.Time.FromUnixNanoseconds(toNs) + TimeSpan.FromHours(1), default);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every formatted log message, so a test can prove what never reached a log.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Messages.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
