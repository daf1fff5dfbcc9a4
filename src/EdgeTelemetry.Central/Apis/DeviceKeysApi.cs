using System.Text;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Central.Security;
using EdgeTelemetry.Wire;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Apis;

/// <summary>
/// Device signing keys for administrators: list, enrol or rotate (PUT a public key PEM), revoke. They change the registry
/// file (Ingest:DevicesFile) every instance re-reads; the broker credential stays with <c>devices enroll|revoke</c> on
/// the broker's host, which runs mosquitto_passwd.
/// </summary>
public static class DeviceKeysApi
{
    private const int MaxPemBytes = 16 * 1024;
    // One writer at a time in this process; instances on other hosts share the file (docs/configuration.md).
    private static readonly SemaphoreSlim Writing = new(1, 1);

    public static RouteGroupBuilder MapDeviceKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/admin/devices").RequireAuthorization(ApiPolicies.DevicesAdmin);

        keys.MapGet("/", (IOptions<IngestOptions> options) => Registry(options) is { } path
            ? Results.Ok(new { devices = DeviceRegistry.Load(path).OrderBy(d => d.Name, StringComparer.Ordinal).Select(View) })
            : NoRegistry());

        keys.MapPut("/{site}/{device}/key", async (string site, string device, HttpRequest request, IOptions<IngestOptions> options, DeviceKeyring keyring,
            TimeProvider clock, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (Invalid(site, device) is { } bad) return bad;
            if (Registry(options) is not { } path) return NoRegistry();
            var pem = await ReadPemAsync(request, ct);
            if (pem is null) return Results.Problem(statusCode: 400, title: "Bad public key", detail: $"send the public key PEM as the body (at most {MaxPemBytes} bytes)");
            return await ChangeAsync(path, keyring, ct, devices =>
            {
                var key = DeviceKeyChanges.ParseKey(pem, clock.GetUtcNow(), "body");
                var enrolled = devices.Any(d => d.Site == site && d.Device == device && d.RevokedAt is null);
                var changed = enrolled ? DeviceKeyChanges.Rotate(devices, site, device, key, clock.GetUtcNow()) : DeviceKeyChanges.Enrol(devices, site, device, key, clock.GetUtcNow());
                logs.CreateLogger(typeof(DeviceKeysApi)).LogInformation("{Site}/{Device}: key {Fingerprint} {Change} by {User}", site, device, key.Fingerprint,
                    enrolled ? "rotated in" : "enrolled", request.HttpContext.User.Identity?.Name);
                return (changed, enrolled ? 200 : 201);
            }, site, device);
        });

        keys.MapPost("/{site}/{device}/revoke", async (string site, string device, HttpRequest request, IOptions<IngestOptions> options, DeviceKeyring keyring,
            TimeProvider clock, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (Invalid(site, device) is { } bad) return bad;
            if (Registry(options) is not { } path) return NoRegistry();
            return await ChangeAsync(path, keyring, ct, devices =>
            {
                var changed = DeviceKeyChanges.Revoke(devices, site, device, clock.GetUtcNow());
                logs.CreateLogger(typeof(DeviceKeysApi)).LogWarning("{Site}/{Device} revoked by {User}; its broker credential stays until devices revoke runs on the broker host",
                    site, device, request.HttpContext.User.Identity?.Name);
                return (changed, 200);
            }, site, device);
        });
        return api;
    }

    private static async Task<IResult> ChangeAsync(string path, DeviceKeyring keyring, CancellationToken ct,
        Func<List<EnrolledDevice>, (List<EnrolledDevice> Devices, int Status)> change, string site, string device)
    {
        await Writing.WaitAsync(ct);
        try
        {
            var (devices, status) = change(DeviceRegistry.Load(path));
            DeviceRegistry.Save(path, devices);
            keyring.Refresh(force: true); // this instance at once; the others within Ingest:DevicesFileReloadSeconds
            var entry = View(devices.Single(d => d.Site == site && d.Device == device));
            return status == 201 ? Results.Created($"/api/admin/devices/{site}/{device}/key", entry) : Results.Ok(entry);
        }
        catch (InvalidOperationException ex)
        {
            var status = ex.Message.StartsWith("body:", StringComparison.Ordinal) ? 400 : ex.Message.Contains("not enrolled", StringComparison.Ordinal) ? 404 : 409;
            return Results.Problem(statusCode: status, title: "Not changed", detail: ex.Message);
        }
        finally
        {
            Writing.Release();
        }
    }

    private static object View(EnrolledDevice d) => new
    {
        site = d.Site,
        device = d.Device,
        enrolledAt = d.EnrolledAt,
        revokedAt = d.RevokedAt,
        currentKey = d.CurrentKey?.Fingerprint,
        keys = d.Keys.Select(k => new { fingerprint = k.Fingerprint, keyId = k.KeyId, state = k.State, addedAt = k.AddedAt, retiredAt = k.RetiredAt, revokedAt = k.RevokedAt, publicKey = k.PublicKey }),
    };

    private static string? Registry(IOptions<IngestOptions> options) => string.IsNullOrWhiteSpace(options.Value.DevicesFile) ? null : options.Value.DevicesFile;

    private static IResult NoRegistry() =>
        Results.Problem(statusCode: 409, title: "No device registry", detail: "set Ingest:DevicesFile: the registry every instance reads");

    private static IResult? Invalid(string site, string device) => Topics.IsValidId(site) && Topics.IsValidId(device) ? null
        : Results.Problem(statusCode: 400, title: "Bad device", detail: "site and device are [a-z0-9][a-z0-9_-]{0,63}");

    private static async Task<string?> ReadPemAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxPemBytes) return null;
        using var reader = new StreamReader(request.Body, Encoding.ASCII);
        var buffer = new char[MaxPemBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, ct);
        return read is 0 or > MaxPemBytes ? null : new string(buffer, 0, read);
    }
}
