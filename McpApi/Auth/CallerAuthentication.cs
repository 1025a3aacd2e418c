using McpApi.Dispatching;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace McpApi.Auth;

/// <summary>
/// How the HTTP-based doors (envelope, MCP, WebSocket and SSE at connect) learn who calls: the request's credential,
/// authenticated by the configured scheme, into the <see cref="CallContext"/> the dispatcher checks. With
/// <c>Auth:Mode=None</c> it does nothing at all.
/// </summary>
public sealed class CallerAuthentication(IOptions<AuthOptions> options)
{
    private readonly AuthOptions _options = options.Value;

    /// <summary>Every call needs a credential (<c>Auth:Mode</c> is ApiKey or Jwt).</summary>
    public bool Required => _options.Required;

    public AuthOptions Options => _options;

    /// <summary>
    /// The call context of an HTTP request, the one place every HTTP-based door builds it: door, trace id, client
    /// address and the caller — with authentication on, the one its accepted credential names (else why it was refused);
    /// without, the request's user if something upstream set one.
    /// </summary>
    public ValueTask<CallContext> CallerAsync(HttpContext http, string door)
    {
        var caller = new CallContext(door, http.TraceIdentifier)
        {
            Identity = CallerClaimsIdentity.Of(http),
            ClientAddress = http.Connection.RemoteIpAddress,
        };
        return Required ? IdentifyAsync(http, caller) : ValueTask.FromResult(caller);
    }

    /// <summary>Fills <paramref name="caller"/> from the request's credential (authenticated once per request; the result is cached).</summary>
    private static async ValueTask<CallContext> IdentifyAsync(HttpContext http, CallContext caller)
    {
        var result = await http.AuthenticateAsync();
        if (result.Succeeded && CallerClaimsIdentity.Of(result.Principal) is { } identity)
            return caller with { Identity = identity };
        return caller with { CredentialProblem = result.Failure is { } failure ? Describe(failure) : null };
    }

    /// <summary>Why the request's credential was refused, or null (none sent, or accepted); never the credential itself.</summary>
    public static async ValueTask<string?> RefusalAsync(HttpContext http) =>
        (await http.AuthenticateAsync()).Failure is { } failure ? Describe(failure) : null;

    /// <summary>Sends the 401's <c>WWW-Authenticate</c> challenge of the configured scheme (the body is the door's).</summary>
    public static Task ChallengeAsync(HttpContext http) => http.ChallengeAsync();

    /// <summary>Why a credential was refused, in words a client can act on; never the credential itself.</summary>
    internal static string Describe(Exception failure) => failure switch
    {
        Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "The bearer token has expired; get a new one from the issuer.",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "The bearer token is for another audience (its 'aud' is not Auth:Jwt:Audience).",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "The bearer token comes from an issuer this server does not trust.",
        Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException or Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException
            => "The bearer token's signature is not valid.",
        Microsoft.IdentityModel.Tokens.SecurityTokenException or ArgumentException => "The bearer token is not valid.",
        _ => failure.Message,
    };
}
