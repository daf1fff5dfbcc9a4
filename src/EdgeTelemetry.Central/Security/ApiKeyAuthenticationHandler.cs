using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.Central.Security;

/// <summary>
/// Authenticates a request by its API key, from <c>X-Api-Key: key</c> or <c>Authorization: ApiKey key</c>.
/// The key itself never reaches a log or a response: failures name only what was wrong.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request.Headers);
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        var entry = keys.Find(presented);
        if (entry is null) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, entry.Name), new Claim(ClaimTypes.Role, entry.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static string? PresentedKey(IHeaderDictionary headers)
    {
        if (headers.TryGetValue(HeaderName, out var header) && header.Count == 1 && !string.IsNullOrEmpty(header[0]))
            return header[0];
        var auth = headers.Authorization.ToString();
        const string prefix = SchemeName + " ";
        return auth.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && auth.Length > prefix.Length
            ? auth[prefix.Length..].Trim()
            : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var known = PresentedKey(Request.Headers) is null ? "no API key given" : "unknown API key";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        await Results.Problem(statusCode: 401, title: "Unauthorized",
            detail: $"{known}: send it as '{HeaderName}: <key>' or 'Authorization: {SchemeName} <key>'").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        await Results.Problem(statusCode: 403, title: "Forbidden",
            detail: $"the role '{role}' may not use {Request.Method} {Request.Path}").ExecuteAsync(Context);
    }
}
