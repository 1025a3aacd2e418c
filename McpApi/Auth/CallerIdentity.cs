using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace McpApi.Auth;

/// <summary>
/// Who a credential says the caller is, and what it may do. It reaches the dispatcher in the call context and is the
/// only source of "who" (a chat sender, a game player) when authentication is on.
/// </summary>
/// <param name="Name">The key's name, the token's subject (or <c>Auth:Jwt:NameClaim</c>), or the local user on stdio.</param>
public sealed record CallerIdentity(string Name, ScopeSet Scopes);

/// <summary>A claims identity that carries the <see cref="CallerIdentity"/> it was read into, so doors need not read claims again.</summary>
public sealed class CallerClaimsIdentity : ClaimsIdentity
{
    public CallerClaimsIdentity(CallerIdentity caller, string authenticationType, IEnumerable<Claim>? claims = null)
        : base(claims ?? [], authenticationType, ClaimTypes.Name, ClaimTypes.Role)
    {
        Caller = caller;
        if (!HasClaim(c => c.Type == ClaimTypes.Name))
            AddClaim(new Claim(ClaimTypes.Name, caller.Name));
        if (!HasClaim(c => c.Type == ClaimTypes.NameIdentifier))
            AddClaim(new Claim(ClaimTypes.NameIdentifier, caller.Name));
    }

    public CallerIdentity Caller { get; }

    /// <summary>
    /// The caller an HTTP request's principal carries, or null. Reads the authentication feature rather than
    /// <c>HttpContext.User</c>, whose getter creates an empty principal (and a feature) for every request nobody
    /// authenticated — with authentication off, that was every request.
    /// </summary>
    public static CallerIdentity? Of(HttpContext http) => Of(http.Features.Get<IHttpAuthenticationFeature>()?.User);

    /// <summary>The caller a principal carries, or null (anonymous).</summary>
    public static CallerIdentity? Of(ClaimsPrincipal? principal)
    {
        if (principal is null)
            return null;
        foreach (var identity in principal.Identities)
        {
            if (identity is CallerClaimsIdentity caller)
                return caller.Caller;
        }
        return null;
    }
}
