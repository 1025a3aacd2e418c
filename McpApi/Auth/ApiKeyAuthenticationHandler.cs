using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace McpApi.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against <see cref="ApiKeys"/>.
/// No key: no result (anonymous). A key that matches none: a failure, which <see cref="Limits.AuthFailureGate"/> logs
/// (at Warning with the client's address, never the key) and counts.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    public const string Refused = "The API key was refused: it matches no key in Auth:ApiKeys. Check for a typo, or ask for a new key.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (CredentialFrom(Request.Headers) is not { } key)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (keys.Find(key) is not { } caller)
            return Task.FromResult(AuthenticateResult.Fail(Refused));
        var principal = new ClaimsPrincipal(new CallerClaimsIdentity(caller, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"McpApi\"";
        return Task.CompletedTask;
    }

    /// <summary>The key from <c>X-Api-Key</c>, else from <c>Authorization: Bearer</c>; null when neither is sent.</summary>
    public static string? CredentialFrom(IHeaderDictionary headers)
    {
        var apiKey = headers[HeaderName].ToString();
        if (apiKey.Length > 0)
            return apiKey.Trim();
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
            return authorization[7..].Trim();
        return null;
    }
}
