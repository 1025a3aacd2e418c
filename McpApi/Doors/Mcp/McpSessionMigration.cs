// Session migration is a hook of the SDK's stateful mode; the session settings are marked obsolete only to steer new
// code towards the stateless 2026-07-28 revision (see McpDoorSetup).
#pragma warning disable MCP9006

using System.Text.Json;
using McpApi.Auth;
using McpApi.Storage;
using ModelContextProtocol;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Stateful MCP sessions across replicas, through the SDK's <see cref="ISessionMigrationHandler"/>: the replica that
/// answers <c>initialize</c> records the client's parameters in shared storage (<see cref="IMcpSessionStore"/>), and a
/// replica that gets a request for a session it does not hold takes it up from there (the same owner only), instead of
/// answering 404. Registered only when the storage is shared (PostgreSQL); with SQLite there is one process.
/// </summary>
/// <remarks>
/// What migrates is the handshake, not live state: a resource subscription and an open GET stream stay on the replica
/// that holds them. The balancer therefore keeps a session's requests on one replica (nginx hashes
/// <c>Mcp-Session-Id</c>, deploy/nginx); migration is what makes the first request after <c>initialize</c> (the id did
/// not exist when the balancer chose a replica for it) and a replica's failure transparent.
/// </remarks>
internal sealed partial class McpSessionMigration(IMcpSessionStore store, ILogger<McpSessionMigration> logger) : ISessionMigrationHandler
{
    /// <summary>How long after its <c>initialize</c> a session can still move to another replica.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private static JsonSerializerOptions Json => McpJsonUtilities.DefaultOptions;

    /// <summary>Registers the handler with the SDK when the storage provides an <see cref="IMcpSessionStore"/>.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<HttpServerTransportOptions>().Configure<IServiceProvider>((transport, provider) =>
        {
            if (transport.SessionMigrationHandler is null && provider.GetService<IMcpSessionStore>() is { } store)
                transport.SessionMigrationHandler = new McpSessionMigration(store, provider.GetRequiredService<ILogger<McpSessionMigration>>());
        });

    /// <summary>
    /// Wraps the SDK's endpoints on <c>/mcp</c> (POST, GET, DELETE) for a request of a stateful session, when the storage
    /// is shared: the session's record decides before the SDK does.
    /// <list type="bullet">
    /// <item>Ended (<c>DELETE /mcp</c> on any replica): 404 <c>Session not found</c>, also on a replica that still holds a
    /// copy of it (that copy gets no more requests and closes at <c>Mcp:IdleTimeout</c>).</item>
    /// <item>Not held here but recorded for this caller: a DELETE ends it everywhere (marks the record; 200); any other
    /// request takes it up here, and it counts against <see cref="McpSessionLimits"/> like a session started here
    /// (429 or 503 when no place is free).</item>
    /// <item>Held here and ended by a DELETE here: the record is marked too.</item>
    /// </list>
    /// When the storage cannot be read the request goes on as before (a session held here keeps working; one that is
    /// not is unknown, 404).
    /// </summary>
    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        var sessionId = http.Request.Headers["Mcp-Session-Id"].ToString();
        if (sessionId.Length == 0 || http.RequestServices.GetService<IMcpSessionStore>() is not { } store
            || http.RequestServices.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value.SessionMode == HttpServerSessionMode.Stateless)
        {
            await next(http);
            return;
        }
        var held = http.RequestServices.GetRequiredService<McpSessions>().TryGet(sessionId, out _);
        StoredMcpSession? stored;
        try
        {
            stored = await store.FindAsync(sessionId, Lifetime, http.RequestAborted);
        }
        catch (StorageUnavailableException)
        {
            await next(http);
            return;
        }
        var delete = HttpMethods.IsDelete(http.Request.Method);
        if (stored is { Ended: true })
        {
            await McpHttpChecks.WriteAsync(http, StatusCodes.Status404NotFound, (McpErrorCode)(-32001), default,
                "Session not found: it was ended (DELETE /mcp). Start a new one with initialize.");
            return;
        }
        if (!held && stored is not null && IsOwner(stored, http))
        {
            if (delete)
            {
                await store.ForgetAsync(sessionId, CancellationToken.None);
                return; // 200, as the SDK answers a DELETE
            }
            http.Items[typeof(StoredMcpSession)] = stored; // read once: AllowSessionMigrationAsync uses it
            if (!await http.RequestServices.GetRequiredService<McpSessionLimits>().TakeForMigrationAsync(http))
                return;
        }
        await next(http);
        if (delete && held && http.Response.StatusCode == StatusCodes.Status200OK)
            await store.ForgetAsync(sessionId, CancellationToken.None);
    };

    private static bool IsOwner(StoredMcpSession stored, HttpContext http) =>
        string.Equals(stored.Owner, CallerClaimsIdentity.Of(http.User)?.Name, StringComparison.Ordinal);

    public async ValueTask OnSessionInitializedAsync(HttpContext context, string sessionId, InitializeRequestParams initializeParams, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(initializeParams, Json.GetTypeInfo(typeof(InitializeRequestParams)));
        try
        {
            await store.SaveAsync(sessionId, CallerClaimsIdentity.Of(context.User)?.Name, json, Lifetime, cancellationToken);
        }
        catch (StorageUnavailableException ex)
        {
            // The session still works here; it only cannot move to another replica.
            LogNotRecorded(logger, sessionId, ex);
        }
    }

    public async ValueTask<InitializeRequestParams?> AllowSessionMigrationAsync(HttpContext context, string sessionId, CancellationToken cancellationToken)
    {
        var stored = context.Items[typeof(StoredMcpSession)] as StoredMcpSession;
        try
        {
            stored ??= await store.FindAsync(sessionId, Lifetime, cancellationToken);
        }
        catch (StorageUnavailableException ex)
        {
            // Answered as an unknown session (404): the client starts a new one, the protocol's way to recover.
            LogNotRead(logger, sessionId, ex);
            return null;
        }
        if (stored is null or { Ended: true })
            return null;
        // The SDK binds the new copy to the current caller; only the caller who opened the session may take it up.
        if (!IsOwner(stored, context))
        {
            LogRefused(logger, sessionId);
            return null;
        }
        LogMigrated(logger, sessionId);
        return (InitializeRequestParams?)JsonSerializer.Deserialize(stored.InitializeJson, Json.GetTypeInfo(typeof(InitializeRequestParams)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP session {SessionId} taken up from shared storage (started on another replica or before a restart)")]
    private static partial void LogMigrated(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session {SessionId} could not be recorded in shared storage; it works on this replica only")]
    private static partial void LogNotRecorded(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session {SessionId} could not be looked up in shared storage; answered as unknown")]
    private static partial void LogNotRead(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP session {SessionId} was not taken up: the caller is not the one who opened it")]
    private static partial void LogRefused(ILogger logger, string sessionId);
}
