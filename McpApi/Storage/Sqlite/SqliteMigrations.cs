using Dapper;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// The schema, as numbered steps recorded in <c>schema_version</c>. A new step is appended, never edited:
/// start-up applies the steps a database has not seen yet, each in its own transaction.
/// </summary>
internal static partial class SqliteMigrations
{
    private sealed record Migration(int Version, string Description, string Sql);

    private static readonly Migration[] Steps =
    [
        new(1, "notes, chat, state and games", """
            CREATE TABLE notes (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                notebook   TEXT    NOT NULL,
                text       TEXT    NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX ix_notes_notebook ON notes (notebook, id);

            CREATE TABLE chat_messages (
                id        INTEGER PRIMARY KEY AUTOINCREMENT,
                room      TEXT    NOT NULL,
                user_name TEXT    NOT NULL,
                text      TEXT    NOT NULL,
                sent_at   INTEGER NOT NULL
            );
            CREATE INDEX ix_chat_messages_room ON chat_messages (room, id);

            CREATE TABLE state_entries (
                namespace  TEXT    NOT NULL,
                state_key  TEXT    NOT NULL,
                value      TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (namespace, state_key)
            ) WITHOUT ROWID;

            CREATE TABLE games (
                id         TEXT    NOT NULL PRIMARY KEY,
                board      TEXT    NOT NULL,
                player_x   TEXT,
                player_o   TEXT,
                status     TEXT    NOT NULL,
                winner     TEXT,
                moves      INTEGER NOT NULL,
                version    INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX ix_games_status ON games (status, updated_at);
            """),
        new(2, "state tombstones: a deleted key's last version, so versions never repeat", """
            CREATE TABLE state_tombstones (
                namespace  TEXT    NOT NULL,
                state_key  TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                PRIMARY KEY (namespace, state_key)
            ) WITHOUT ROWID;
            """),
    ];

    public static int LatestVersion => Steps[^1].Version;

    public static async Task ApplyAsync(SqliteDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenRawAsync(cancellationToken);
        // WAL is a property of the file: set once, it stays on for every later connection.
        var journal = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode = WAL;");
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode is '{journal}') for {database.DataSource}; use a local file system.");
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_version (
                version     INTEGER PRIMARY KEY,
                description TEXT    NOT NULL,
                applied_at  TEXT    NOT NULL
            );
            """);

        foreach (var step in Steps)
        {
            // BEGIN IMMEDIATE and a re-read inside it: two processes starting together apply each step once.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var current = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version;", transaction: transaction);
            if (current >= step.Version)
                continue;
            await connection.ExecuteAsync(step.Sql, transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version, description, applied_at) VALUES (@Version, @Description, @AppliedAt);",
                new { step.Version, step.Description, AppliedAt = DateTime.UtcNow.ToString("O") }, transaction);
            await transaction.CommitAsync(cancellationToken);
            LogMigrated(logger, step.Version, step.Description, database.DataSource);
        }
        LogReady(logger, database.DataSource, LatestVersion);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema step {Version} ({Description}) to {DataSource}")]
    private static partial void LogMigrated(ILogger logger, int version, string description, string dataSource);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite storage ready at {DataSource} (schema version {Version}, WAL, synchronous=FULL; setting ConnectionStrings:McpApi)")]
    private static partial void LogReady(ILogger logger, string dataSource, int version);
}
