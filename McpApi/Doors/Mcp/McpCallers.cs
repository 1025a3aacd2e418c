using System.Security.Claims;
using System.Text.RegularExpressions;
using McpApi.Auth;
using McpApi.Dispatching;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Who an MCP request comes from, as the dispatcher sees it: over Streamable HTTP the request's authenticated user (the
/// SDK hands it to every tool, resource and prompt); over stdio the local user, with <c>Auth:Stdio:Scopes</c> (default: every scope).
/// </summary>
public sealed partial class McpCallers
{
    private readonly CallerIdentity? _localUser;

    private McpCallers(string door, CallerIdentity? localUser)
    {
        Door = door;
        _localUser = localUser;
    }

    /// <summary><see cref="McpDispatch.Door"/> or <see cref="McpDispatch.StdioDoor"/>.</summary>
    public string Door { get; }

    public static McpCallers For(McpDoorOptions door, AuthOptions auth)
    {
        if (!door.Stdio)
            return new McpCallers(McpDispatch.Door, null);
        if (!auth.Required && auth.Stdio.Scopes.Count == 0)
            return new McpCallers(McpDispatch.StdioDoor, null); // authentication off and no stdio scopes: anonymous, as on every door

        var scopes = auth.Stdio.Scopes.Count == 0 ? ScopeSet.Everything : ScopeSet.Parse(auth.Stdio.Scopes, errors: []);
        return new McpCallers(McpDispatch.StdioDoor, new CallerIdentity(LocalUserName(), scopes));
    }

    /// <summary>The call context of a request from <paramref name="user"/> (null: anonymous, or stdio).</summary>
    public CallContext Caller(ClaimsPrincipal? user) =>
        new(Door, McpDispatch.TraceId()) { Identity = _localUser ?? CallerClaimsIdentity.Of(user), ClientAddress = Request.HttpContext?.Connection.RemoteIpAddress };

    /// <summary>The request being served over HTTP (the SDK runs handlers on the POST's execution context); null over stdio.</summary>
    private static readonly HttpContextAccessor Request = new();

    /// <summary>
    /// Makes an MCP request visible to <see cref="Caller"/> while the SDK serves it. Set here rather than by
    /// registering <c>IHttpContextAccessor</c>, which would make the host set it for every request on every door
    /// (an execution-context change per request that the envelope door paid for nothing).
    /// </summary>
    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        Request.HttpContext = http;
        try
        {
            await next(http);
        }
        finally
        {
            Request.HttpContext = null;
        }
    };

    /// <summary>The operating-system user as a name (letters, digits, '_', '.', '-'); <c>local</c> when there is none.</summary>
    internal static string LocalUserName()
    {
        var name = NotNameCharacters().Replace(Environment.UserName ?? "", "_");
        return name.Length == 0 ? "local" : name[..Math.Min(name.Length, 64)];
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex NotNameCharacters();
}
