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
        new(Door, McpDispatch.TraceId()) { Identity = _localUser ?? CallerClaimsIdentity.Of(user), ClientAddress = Hosting.CurrentRequest.Http?.Connection.RemoteIpAddress };

    /// <summary>The operating-system user as a name (letters, digits, '_', '.', '-'); <c>local</c> when there is none.</summary>
    internal static string LocalUserName()
    {
        var name = NotNameCharacters().Replace(Environment.UserName ?? "", "_");
        return name.Length == 0 ? "local" : name[..Math.Min(name.Length, 64)];
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex NotNameCharacters();
}
