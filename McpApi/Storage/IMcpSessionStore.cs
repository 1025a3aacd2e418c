namespace McpApi.Storage;

/// <summary>
/// What an MCP session's <c>initialize</c> established (the client's parameters as JSON, and who opened it), kept where
/// every replica can read it, so a session started on one replica can be taken up by another
/// (<see cref="Doors.Mcp.McpSessionMigration"/>). Only shared storage (PostgreSQL) provides it.
/// </summary>
public interface IMcpSessionStore
{
    /// <summary>Records a new session; sessions older than <paramref name="lifetime"/> are forgotten on the way.</summary>
    Task SaveAsync(string sessionId, string? owner, string initializeJson, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// The session's owner and <c>initialize</c> parameters (or that it was ended), or null when it is unknown or older
    /// than <paramref name="lifetime"/>.
    /// </summary>
    Task<StoredMcpSession?> FindAsync(string sessionId, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a session its client ended (a tombstone that lasts one lifetime from now), so no replica takes it up again
    /// and a replica that still holds a copy refuses it.
    /// </summary>
    Task ForgetAsync(string sessionId, CancellationToken cancellationToken);
}

/// <param name="Owner">The caller's name when authentication was on, else null.</param>
/// <param name="InitializeJson">Empty once the session was ended (<see cref="IMcpSessionStore.ForgetAsync"/>).</param>
public sealed record StoredMcpSession(string? Owner, string InitializeJson)
{
    public bool Ended => InitializeJson.Length == 0;
}
