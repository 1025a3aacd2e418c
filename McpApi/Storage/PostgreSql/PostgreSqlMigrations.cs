using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL schema, as numbered steps recorded in <c>schema_version</c>. A new step is appended, never edited.
/// Replicas that start together take a session advisory lock first, so exactly one of them applies each missing step
/// (each in its own transaction) while the others wait and then find nothing left to do.
/// </summary>
/// <remarks>Timestamps are UTC Unix milliseconds (<c>bigint</c>), as in the SQLite schema.</remarks>
internal static partial class PostgreSqlMigrations
{
    /// <summary>The advisory lock key migrations hold ('McpApi' as ASCII).</summary>
    public const long LockKey = 0x4D63_7041_7069;

    private sealed record Migration(int Version, string Description, string Sql);

    private static readonly Migration[] Steps =
    [
        new(1, "notes, chat, state, state tombstones and games", """
            CREATE TABLE notes (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                notebook   text   NOT NULL,
                text       text   NOT NULL,
                created_at bigint NOT NULL
            );
            CREATE INDEX ix_notes_notebook ON notes (notebook, id);

            CREATE TABLE chat_messages (
                id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                room      text   NOT NULL,
                user_name text   NOT NULL,
                text      text   NOT NULL,
                sent_at   bigint NOT NULL
            );
            CREATE INDEX ix_chat_messages_room ON chat_messages (room, id);

            CREATE TABLE state_entries (
                namespace  text   NOT NULL COLLATE "C",
                state_key  text   NOT NULL COLLATE "C",
                value      text   NOT NULL,
                version    bigint NOT NULL,
                updated_at bigint NOT NULL,
                PRIMARY KEY (namespace, state_key)
            );

            CREATE TABLE state_tombstones (
                namespace  text   NOT NULL COLLATE "C",
                state_key  text   NOT NULL COLLATE "C",
                version    bigint NOT NULL,
                PRIMARY KEY (namespace, state_key)
            );

            CREATE TABLE games (
                id         text   NOT NULL PRIMARY KEY,
                board      text   NOT NULL,
                player_x   text,
                player_o   text,
                status     text   NOT NULL,
                winner     text,
                moves      integer NOT NULL,
                version    bigint NOT NULL,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL
            );
            CREATE INDEX ix_games_status ON games (status, updated_at);
            """),
        new(2, "MCP sessions for migration between replicas, and the shared Data Protection key ring", """
            CREATE TABLE mcp_sessions (
                id          text   NOT NULL PRIMARY KEY COLLATE "C",
                owner       text,
                initialize  text   NOT NULL,
                created_at  bigint NOT NULL
            );
            CREATE INDEX ix_mcp_sessions_created ON mcp_sessions (created_at);

            CREATE TABLE data_protection_keys (
                name       text   NOT NULL PRIMARY KEY COLLATE "C",
                xml        text   NOT NULL,
                created_at bigint NOT NULL
            );
            """),
    ];

    public static int LatestVersion => Steps[^1].Version;

    public static async Task ApplyAsync(PostgreSqlDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({LockKey});", cancellationToken);
        try
        {
            await Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     integer PRIMARY KEY,
                    description text    NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                );
                """, cancellationToken);
            foreach (var step in Steps)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection, transaction))
                {
                    if (Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken)) >= step.Version)
                        continue;
                }
                await Execute(connection, transaction, step.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_version (version, description) VALUES ($1, $2);", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = step.Version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = step.Description });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                LogMigrated(logger, step.Version, step.Description, database.Description);
            }
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey});", CancellationToken.None);
        }
        LogReady(logger, database.Description, LatestVersion);
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema step {Version} ({Description}) to PostgreSQL at {Database}")]
    private static partial void LogMigrated(ILogger logger, int version, string description, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL storage ready at {Database} (schema version {Version}, synchronous_commit=on; settings Storage:Provider, ConnectionStrings:McpApi)")]
    private static partial void LogReady(ILogger logger, string database, int version);
}
