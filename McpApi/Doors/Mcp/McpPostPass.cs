// The session settings are marked obsolete only to steer new code towards the 2026-07-28 revision (see McpDoorSetup).
#pragma warning disable MCP9006

using McpApi.Auth;
using McpApi.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Everything McpApi does around the SDK's <c>POST /mcp</c> endpoint, in one pass per request, in this order:
/// <see cref="CurrentRequest"/> for the SDK's handlers, the credential (<see cref="McpAuthenticationGate"/>), relaxed
/// escaping of the answer (<see cref="RelaxedJsonResponses"/>), sessions from other replicas (<see cref="McpSessionMigration"/>,
/// still its own wrapper), a session place (<see cref="McpSessionLimits"/>), the size limit (<see cref="McpRequestLimit"/>),
/// the body and header checks and cancellation tracking (<see cref="McpHttpChecks"/>). One pass instead of seven nested
/// wrappers, with the services looked up once: every MCP call goes through it.
/// </summary>
internal sealed class McpPostPass
{
    private readonly RequestDelegate _sdk;
    private readonly RequestDelegate _afterMigration;
    private Services? _services;

    public McpPostPass(RequestDelegate sdk)
    {
        _sdk = sdk;
        // A session started on another replica, or ended on one, is looked up in shared storage first.
        _afterMigration = McpSessionMigration.Around(CheckAndRunAsync);
    }

    /// <summary>The SDK's own POST endpoint this pass runs.</summary>
    public RequestDelegate Sdk => _sdk;

    public async Task InvokeAsync(HttpContext http)
    {
        var services = _services ??= new Services(http.RequestServices);
        CurrentRequest.Set(http);
        try
        {
            if (services.Authentication.Required && !await McpAuthenticationGate.AdmitAsync(http, services.Authentication))
                return;

            await RelaxedJsonResponses.RunAsync(http, _afterMigration);
        }
        finally
        {
            CurrentRequest.Set(null);
        }
    }

    private async Task CheckAndRunAsync(HttpContext http)
    {
        var services = _services!;
        var (place, answered) = await services.SessionLimits.EnterAsync(http);
        try
        {
            if (!answered && await McpRequestLimit.CheckAsync(http, services.Api.Value.MaxRequestBytes))
            {
                var (proceed, sessionId, requestId) = await McpHttpChecks.CheckAsync(http, services.Stateless, services.Sessions);
                if (proceed)
                {
                    using var tracked = requestId is null ? null : services.CancelledRequests.Track(http, sessionId, requestId);
                    await _sdk(http);
                }
            }
        }
        finally
        {
            place?.Release();
        }
    }

    /// <summary>The singletons the pass uses, looked up on its first request.</summary>
    private sealed class Services(IServiceProvider services)
    {
        public CallerAuthentication Authentication { get; } = services.GetRequiredService<CallerAuthentication>();

        public McpSessionLimits SessionLimits { get; } = services.GetRequiredService<McpSessionLimits>();

        public McpSessions Sessions { get; } = services.GetRequiredService<McpSessions>();

        public McpCancelledRequests CancelledRequests { get; } = services.GetRequiredService<McpCancelledRequests>();

        public IOptions<McpApiOptions> Api { get; } = services.GetRequiredService<IOptions<McpApiOptions>>();

        public bool Stateless { get; } =
            services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value.SessionMode == HttpServerSessionMode.Stateless;
    }
}
