using McpApi.Auth;
using Microsoft.Net.Http.Headers;

namespace McpApi.Limits;

/// <summary>
/// The HTTP side of <see cref="AuthFailureLimiter"/>: a request that carries a credential (<c>Authorization</c> or
/// <c>X-Api-Key</c>) from a blocked client address gets 429 before it is checked, and one whose credential the
/// configured scheme refuses is recorded — logged once, with the reason, never the credential — whatever the answer
/// (without authentication: an answer of 401, with the reason from <c>WWW-Authenticate</c>). <c>/health</c> is left alone.
/// </summary>
internal sealed class AuthFailureGate(RequestDelegate next, AuthFailureLimiter failures, CallerAuthentication authentication)
{
    public const string ApiKeyHeader = "X-Api-Key";

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var credential = request.Headers.Authorization.Count > 0 ? "Authorization header"
            : request.Headers.ContainsKey(ApiKeyHeader) ? ApiKeyHeader + " header"
            : null;
        return credential is null || request.Path.StartsWithSegments("/health") ? next(http) : GuardAsync(http, credential);
    }

    private async Task GuardAsync(HttpContext http, string credential)
    {
        var request = http.Request;
        var address = http.Connection.RemoteIpAddress;
        if (failures.IsBlocked(address, out var retryAfter))
        {
            await LimitRefusals.WriteAsync(http, failures.Blocked(address, retryAfter), CallerRateLimiter.RetryAfterSeconds(retryAfter));
            return;
        }
        if (authentication.Required)
        {
            // The scheme ran before this (UseAuthentication); its result is cached for the request.
            if (await CallerAuthentication.RefusalAsync(http) is { } problem)
                failures.RecordFailure(address, "http", $"{credential} refused on {request.Method} {request.Path}: {problem}");
            await next(http);
            return;
        }
        await next(http);
        if (http.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            var challenge = http.Response.Headers[HeaderNames.WWWAuthenticate].ToString();
            failures.RecordFailure(address, "http", $"{credential} refused on {request.Method} {request.Path}" +
                (challenge.Length > 0 ? $" ({challenge})" : ""));
        }
    }
}
