using McpApi.Auth;
using McpApi.Dispatching;
using ModelContextProtocol;

namespace McpApi.Doors.Mcp;

/// <summary>
/// With authentication on, an MCP request without an accepted credential is answered 401 before the SDK sees it: the
/// scheme's <c>WWW-Authenticate</c> challenge (in Jwt mode with <c>resource_metadata</c>, so OAuth clients find where to
/// log in) and a JSON-RPC error saying what to send. With <c>Auth:Mode=None</c> it only checks a flag.
/// </summary>
internal static class McpAuthenticationGate
{
    /// <summary>The JSON-RPC error code of a request without an accepted credential (a server error code, as HTTP 401).</summary>
    public const McpErrorCode Unauthenticated = (McpErrorCode)(-32001);

    public static RequestDelegate Around(RequestDelegate next) => http =>
        http.RequestServices.GetRequiredService<CallerAuthentication>() is { Required: true } authentication
            ? GateAsync(http, next, authentication)
            : next(http);

    private static async Task GateAsync(HttpContext http, RequestDelegate next, CallerAuthentication authentication)
    {
        if (await AdmitAsync(http, authentication))
            await next(http);
    }

    /// <summary>True for a request with an accepted credential; otherwise the 401 has been written.</summary>
    public static async ValueTask<bool> AdmitAsync(HttpContext http, CallerAuthentication authentication)
    {
        var caller = await authentication.CallerAsync(http, McpDispatch.Door);
        if (caller.Identity is not null)
            return true;
        await CallerAuthentication.ChallengeAsync(http);
        await McpHttpErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, Unauthenticated, Access.Unauthenticated(caller).Message);
        return false;
    }
}
