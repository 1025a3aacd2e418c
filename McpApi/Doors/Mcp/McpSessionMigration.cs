// Session migration is a hook of the SDK's stateful mode; the session settings are marked obsolete only to steer new
// code towards the stateless 2026-07-28 revision (see McpDoorSetup).
#pragma warning disable MCP9006

using System.Text.Json;
using McpApi.Auth;
using McpApi.Storage;
using ModelContextProtocol;
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
    /// Wraps the SDK's DELETE endpoint: a session its client ended (and the SDK closed here) is forgotten in shared
    /// storage too, so a later request with its id is a 404 on every replica instead of reviving it. A copy another
    /// replica took up earlier ends there at its idle timeout (with the balancer's affinity no request reaches it).
    /// </summary>
    public static RequestDelegate ForgetOnDelete(RequestDelegate next) => async http =>
    {
        await next(http);
        if (http.Response.StatusCode == StatusCodes.Status200OK
            && http.Request.Headers["Mcp-Session-Id"].ToString() is { Length: > 0 } sessionId
            && http.RequestServices.GetService<IMcpSessionStore>() is { } store)
        {
            await store.ForgetAsync(sessionId, CancellationToken.None);
        }
    };

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
        StoredMcpSession? stored;
        try
        {
            stored = await store.FindAsync(sessionId, Lifetime, cancellationToken);
        }
        catch (StorageUnavailableException ex)
        {
            // Answered as an unknown session (404): the client starts a new one, the protocol's way to recover.
            LogNotRead(logger, sessionId, ex);
            return null;
        }
        if (stored is null)
            return null;
        // The SDK binds the new copy to the current caller; only the caller who opened the session may take it up.
        var caller = CallerClaimsIdentity.Of(context.User)?.Name;
        if (!string.Equals(stored.Owner, caller, StringComparison.Ordinal))
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
