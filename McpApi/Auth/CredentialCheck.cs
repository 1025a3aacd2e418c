using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace McpApi.Auth;

/// <summary>
/// Checks a credential sent inside a message rather than a header (the WebSocket and TCP <c>auth</c> message) exactly
/// as the header would be checked: an API key against <see cref="ApiKeys"/>, a token with the JwtBearer scheme's own
/// validation settings. A refusal is logged and counted by the caller (<see cref="Limits.AuthFailureLimiter"/>), once.
/// </summary>
public sealed class CredentialCheck(IOptions<AuthOptions> options, ApiKeys keys, IOptionsMonitor<JwtBearerOptions> jwt)
{
    /// <summary>The caller, or null with the reason the credential was refused (never the credential).</summary>
    public async ValueTask<(CallerIdentity? Caller, string? Problem)> CheckAsync(string credential, CancellationToken cancellationToken)
    {
        if (options.Value.Mode == AuthMode.ApiKey)
        {
            if (keys.Find(credential) is { } caller)
                return (caller, null);
            return (null, ApiKeyAuthenticationHandler.Refused);
        }
        var settings = jwt.Get(JwtBearerDefaults.AuthenticationScheme);
        var parameters = settings.TokenValidationParameters.Clone();
        if (settings.ConfigurationManager is { } manager)
        {
            var configuration = await manager.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], configuration.Issuer];
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }
        foreach (var handler in settings.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(credential, parameters);
            if (result.IsValid)
            {
                return JwtCaller.From(new ClaimsPrincipal(result.ClaimsIdentity), options.Value.Jwt) is { } caller
                    ? (caller, null)
                    : (null, JwtCaller.NoName(options.Value.Jwt));
            }
            return (null, CallerAuthentication.Describe(result.Exception ?? new ArgumentException("invalid token")));
        }
        return (null, "No token handler is configured.");
    }
}

/// <summary>The caller a validated token names: <c>sub</c> (or <c>Auth:Jwt:NameClaim</c>) and its <c>scope</c> / <c>scp</c> scopes.</summary>
public static class JwtCaller
{
    public static CallerIdentity? From(ClaimsPrincipal principal, JwtSettings settings)
    {
        var name = principal.FindFirst(settings.NameClaim)?.Value;
        if (string.IsNullOrWhiteSpace(name))
            return null;
        return new CallerIdentity(name, ScopeSet.FromToken(principal.FindAll("scope").Concat(principal.FindAll("scp")).Select(c => c.Value)));
    }

    public static string NoName(JwtSettings settings) =>
        $"The bearer token has no '{settings.NameClaim}' claim to name the caller (Auth:Jwt:NameClaim).";
}
