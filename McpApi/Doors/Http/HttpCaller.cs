using McpApi.Dispatching;

namespace McpApi.Doors.Http;

/// <summary>The <see cref="CallContext"/> of a call made through an HTTP request: its user (when authenticated) and client address.</summary>
public static class HttpCaller
{
    public static CallContext For(HttpContext http, string door, string traceId) =>
        new(door, traceId)
        {
            Identity = Auth.CallerClaimsIdentity.Of(http),
            ClientAddress = http.Connection.RemoteIpAddress,
        };
}
