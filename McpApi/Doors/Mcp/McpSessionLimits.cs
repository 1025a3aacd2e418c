// RunSessionHandler is the SDK's hook around a session's lifetime (experimental); the session settings are marked
// obsolete only to steer new code towards the stateless 2026-07-28 revision (see McpDoorSetup).
#pragma warning disable MCPEXP002, MCP9006

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Hosting;
using McpApi.Metrics;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Caps MCP sessions per client IP (<see cref="McpDoorOptions.MaxSessionsPerClient"/>) and overall
/// (<see cref="McpDoorOptions.MaxSessions"/>), counting every live session, idle or holding a GET stream. A request
/// that could start a session (a POST without <c>Mcp-Session-Id</c>, not in <c>Stateless</c> mode, not of the sessionless
/// 2026-07-28 revision) takes a place first; the session keeps it, through
/// the SDK's <see cref="HttpServerTransportOptions.RunSessionHandler"/>, until it ends. When no place is free, an
/// <c>initialize</c> is refused (429 for the client's share, 503 for the server's) with a JSON-RPC error, so the SDK's
/// own limit (<see cref="HttpServerTransportOptions.MaxIdleSessionCount"/>, set to the overall cap) never has to evict
/// another client's session to make room.
/// </summary>
internal sealed partial class McpSessionLimits(IOptions<McpDoorOptions> options, IOptions<McpApiOptions> api, ILogger<McpSessionLimits> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _perClient = [];
    private int _total;
    private long _lastWarning = long.MinValue;

    /// <summary>Sets the SDK's transport options: the idle-session limit and the hook that keeps a place per session.</summary>
    public void Configure(HttpServerTransportOptions transport)
    {
        transport.MaxIdleSessionCount = options.Value.MaxSessions;
        transport.RunSessionHandler = async (http, server, cancellationToken) =>
        {
            var place = server.SessionId is not null ? http.Items[typeof(Place)] as Place : null;
            place?.Hold();
            McpApiMetrics.McpSessionStarted();
            try
            {
                await server.RunAsync(cancellationToken);
            }
            finally
            {
                McpApiMetrics.McpSessionEnded();
                place?.Release();
            }
        };
    }

    /// <summary>
    /// Before the SDK's POST endpoint: a request that could start a session takes a place (null when it cannot start one
    /// and needs none). When no place is free, a new session (an <c>initialize</c>) is refused (429 or 503) and
    /// <paramref name="answered"/> is true; anything else goes on to the SDK without a place. Release the place the request took when it ends.
    /// </summary>
    public async ValueTask<(Place? Place, bool Answered)> EnterAsync(HttpContext http)
    {
        if (http.Request.Headers.ContainsKey("Mcp-Session-Id") || !CanStartSession(http.Request))
            return (null, false);
        var client = ClientOf(http);
        var place = TryTake(client, out var limit);
        if (place is null)
        {
            // Only a new session is refused; anything else the SDK answers as usual (stateless requests, errors).
            if (await InitializeIdAsync(http) is { } id)
            {
                await RefuseAsync(http, client, limit!, id);
                return (null, true);
            }
            return (null, false);
        }
        http.Items[typeof(Place)] = place;
        return (place, false);
    }

    /// <summary>
    /// Takes a place for a session this replica is about to take up from shared storage (started on another replica,
    /// <see cref="McpSessionMigration"/>), counted like one started here; the session keeps it through
    /// <see cref="HttpServerTransportOptions.RunSessionHandler"/>. False, with the request answered 429 or 503, when no
    /// place is free: the client then starts a new session, which is refused with the same message while the limit holds.
    /// </summary>
    public async Task<bool> TakeForMigrationAsync(HttpContext http)
    {
        var client = ClientOf(http);
        var place = TryTake(client, out var limit);
        if (place is null)
        {
            await RefuseAsync(http, client, limit!, null);
            return false;
        }
        http.Items[typeof(Place)] = place;
        http.Response.RegisterForDispose(place); // the request's reference; the session holds its own
        return true;
    }

    /// <summary>
    /// False for a request the SDK serves without a session whatever it asks: every request in <c>Stateless</c> mode, and a
    /// request of the 2026-07-28 revision or later (<c>MCP-Protocol-Version</c>; the revision has no sessions).
    /// </summary>
    private bool CanStartSession(HttpRequest request) =>
        options.Value.SessionMode != HttpServerSessionMode.Stateless
        && !(request.Headers.TryGetValue("MCP-Protocol-Version", out var version)
            && string.CompareOrdinal(version.ToString(), FirstRevisionWithoutSessions) >= 0);

    private const string FirstRevisionWithoutSessions = "2026-07-28";

    private Place? TryTake(string client, out string? limit)
    {
        var settings = options.Value;
        lock (_gate)
        {
            _perClient.TryGetValue(client, out var mine);
            limit = mine >= settings.MaxSessionsPerClient ? nameof(McpDoorOptions.MaxSessionsPerClient)
                : _total >= settings.MaxSessions ? nameof(McpDoorOptions.MaxSessions)
                : null;
            if (limit is not null)
                return null;
            var place = new Place(this, client);
            Add(client, +1);
            return place;
        }
    }

    private void Add(string client, int delta)
    {
        _total += delta;
        var mine = _perClient.GetValueOrDefault(client) + delta;
        if (mine == 0)
            _perClient.Remove(client);
        else
            _perClient[client] = mine;
    }

    private async Task RefuseAsync(HttpContext http, string client, string limit, JsonElement? id)
    {
        var settings = options.Value;
        var perClient = limit == nameof(McpDoorOptions.MaxSessionsPerClient);
        var message = perClient
            ? $"Too many MCP sessions from {client}: at most {settings.MaxSessionsPerClient} (setting {McpDoorOptions.Section}:{limit}). End a session you no longer use (DELETE /mcp with its Mcp-Session-Id) or reuse one; idle sessions close after {settings.IdleTimeout} ({McpDoorOptions.Section}:IdleTimeout)."
            : $"The server holds its maximum of {settings.MaxSessions} MCP sessions (setting {McpDoorOptions.Section}:{limit}). Try again later; idle sessions close after {settings.IdleTimeout} ({McpDoorOptions.Section}:IdleTimeout).";
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastWarning) >= 10_000)
        {
            Interlocked.Exchange(ref _lastWarning, now);
            LogRefused(logger, client, limit);
        }
        http.Response.StatusCode = perClient ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "10";
        var error = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id is { } known ? JsonSerializer.SerializeToNode(known) : null,
            ["error"] = new JsonObject { ["code"] = -32000, ["message"] = message },
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(error.ToJsonString());
    }

    /// <summary>The id of a JSON-RPC <c>initialize</c> request body, or null when the body is something else.</summary>
    private async Task<JsonElement?> InitializeIdAsync(HttpContext http)
    {
        var request = http.Request;
        var limit = api.Value.MaxRequestBytes;
        if (request.ContentLength > limit)
            return null;
        request.EnableBuffering();
        using var body = new MemoryStream();
        try
        {
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (body.Length + read > limit)
                    return null;
                body.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
        try
        {
            using var json = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String && method.ValueEquals("initialize")
                    ? root.TryGetProperty("id", out var id) ? id.Clone() : default(JsonElement?)
                    : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The client a session is counted for: the authenticated caller when there is one (so a key's sessions are capped
    /// wherever they come from, and callers behind one proxy do not share a cap), else its IP address (IPv4 as IPv4
    /// even on a dual-stack socket).
    /// </summary>
    internal static string ClientOf(HttpContext http) => Auth.CallerClaimsIdentity.Of(http) is { } caller ? $"'{caller.Name}'" : http.Connection.RemoteIpAddress switch
    {
        null => "local",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };

    /// <summary>One counted place: the request's reference, then the session's; freed when both are done.</summary>
    internal sealed class Place(McpSessionLimits limits, string client) : IDisposable
    {
        private int _references = 1;

        public void Hold()
        {
            lock (limits._gate)
            {
                // The request may already have finished: then the session takes the place back.
                if (_references++ == 0)
                    limits.Add(client, +1);
            }
        }

        public void Release()
        {
            lock (limits._gate)
            {
                if (--_references == 0)
                    limits.Add(client, -1);
            }
        }

        public void Dispose() => Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused new MCP sessions from {Client}: limit {Limit} reached (further refusals within 10 s are not logged)")]
    private static partial void LogRefused(ILogger logger, string client, string limit);
}
