using ModelContextProtocol.AspNetCore;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Mcp;

/// <summary>The <c>Mcp</c> section of appsettings.json: the Model Context Protocol door on <c>/mcp</c> and stdio.</summary>
public sealed class McpDoorOptions
{
    public const string Section = "Mcp";

    /// <summary>
    /// How HTTP sessions are kept. <c>StatefulForInitializeClients</c> (default): every client that starts with
    /// <c>initialize</c> (all of today's) gets a session, so logging, progress, sampling, elicitation and resource
    /// subscriptions work, while 2026-07-28 clients are served per request. <c>Stateful</c>: sessions only.
    /// <c>Stateless</c>: no sessions, for load-balanced replicas without affinity (server-to-client requests do not work).
    /// </summary>
    public HttpServerSessionMode SessionMode { get; set; } = HttpServerSessionMode.StatefulForInitializeClients;

    /// <summary>A session with no request for this long is closed (default 30 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// At most this many sessions at once, idle or holding a stream (default 1000). Past it a new session is refused
    /// with 503; no existing session is closed to make room.
    /// </summary>
    public int MaxSessions { get; set; } = 1000;

    /// <summary>At most this many sessions from one client IP address (default 100); past it a new one is refused with 429.</summary>
    public int MaxSessionsPerClient { get; set; } = 100;

    /// <summary>
    /// Origins of other sites whose pages may call the server, e.g. <c>https://app.example.com</c> (an entry without a port allows
    /// any port; <c>*</c> allows every origin). Empty (default): only loopback origins (localhost, 127.0.0.1, [::1]).
    /// Requests without an Origin header (curl, SDK clients) and same-origin requests (Origin = the Host the request was
    /// sent to: the web console, Swagger UI) are always allowed.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Keep SSE events so a client can resume a dropped stream (Last-Event-ID): a session whose GET stream closed gets its
    /// server-to-client channel back. In memory, bounded (<see cref="McpDoorSetup.EventStoreBytes"/>); default on.
    /// </summary>
    public bool EnableResumability { get; set; } = true;

    /// <summary>Serve MCP over stdin/stdout instead of HTTP (set by <c>dotnet McpApi.dll --stdio</c>).</summary>
    public bool Stdio { get; set; }
}

internal sealed class McpDoorOptionsValidator : IValidateOptions<McpDoorOptions>
{
    public ValidateOptionsResult Validate(string? name, McpDoorOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.SessionMode))
            failures.Add($"Mcp:SessionMode is '{options.SessionMode}'; use StatefulForInitializeClients (default), Stateful or Stateless.");
        if (options.IdleTimeout < TimeSpan.FromSeconds(10) || options.IdleTimeout > TimeSpan.FromDays(1))
            failures.Add($"Mcp:IdleTimeout is {options.IdleTimeout}; set it between 00:00:10 and 1.00:00:00 (default 00:30:00).");
        if (options.MaxSessions is < 1 or > 1_000_000)
            failures.Add($"Mcp:MaxSessions is {options.MaxSessions}; set it between 1 and 1000000 (default 1000).");
        if (options.MaxSessionsPerClient is < 1 or > 1_000_000)
            failures.Add($"Mcp:MaxSessionsPerClient is {options.MaxSessionsPerClient}; set it between 1 and 1000000 (default 100).");
        foreach (var origin in options.AllowedOrigins)
        {
            if (origin != "*" && !OriginPolicy.TryParseOrigin(origin, out _))
                failures.Add($"Mcp:AllowedOrigins has '{origin}'; write each as scheme://host[:port] (e.g. https://app.example.com) or '*'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
