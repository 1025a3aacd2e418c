namespace McpApi.Storage.PostgreSql;

/// <summary>MCP sessions in the <c>mcp_sessions</c> table, shared by every replica.</summary>
internal sealed class PostgreSqlMcpSessionStore(PostgreSqlDatabase database, TimeProvider clock) : IMcpSessionStore
{
    private const string Insert = "INSERT INTO mcp_sessions (id, owner, initialize, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING;";

    private const string Expire = "DELETE FROM mcp_sessions WHERE created_at < $1;";

    // A tombstone rather than a delete: a replica that still holds the session learns that it ended.
    private const string Forget = "UPDATE mcp_sessions SET initialize = '', created_at = $2 WHERE id = $1;";

    private const string Find = "SELECT owner, initialize FROM mcp_sessions WHERE id = $1 AND created_at >= $2;";

    public Task SaveAsync(string sessionId, string? owner, string initializeJson, TimeSpan lifetime, CancellationToken cancellationToken) =>
        database.WriteAsync<bool>(null, async (connection, transaction) =>
        {
            var now = PostgreSqlCommands.Now(clock);
            await using (var expire = connection.Command(Expire, transaction, now - (long)lifetime.TotalMilliseconds))
                await expire.ExecuteNonQueryAsync(cancellationToken);
            await using var insert = connection.Command(Insert, transaction, sessionId, owner, initializeJson, now);
            return await insert.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, null, cancellationToken);

    public Task<StoredMcpSession?> FindAsync(string sessionId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(Find, null, sessionId, PostgreSqlCommands.Now(clock) - (long)lifetime.TotalMilliseconds);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? new StoredMcpSession(reader.NullableString(0), reader.GetString(1)) : null;
        }, cancellationToken);

    public Task ForgetAsync(string sessionId, CancellationToken cancellationToken) =>
        database.WriteAsync<bool>(null, async (connection, transaction) =>
        {
            await using var command = connection.Command(Forget, transaction, sessionId, PostgreSqlCommands.Now(clock));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, null, cancellationToken);
}
