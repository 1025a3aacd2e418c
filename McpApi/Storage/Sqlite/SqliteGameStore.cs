using Dapper;
using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteGameStore(SqliteDatabase database, TimeProvider clock) : IGameStore
{
    /// <summary><c>board</c> is 9 characters, row by row: 'X', 'O' or '-' for an empty cell.</summary>
    private sealed record Row(string Id, string Board, string? PlayerX, string? PlayerO, string Status, string? Winner,
        long Moves, long Version, long CreatedAt, long UpdatedAt)
    {
        public StoredGame ToGame() => new(Id,
            [.. Board.Select(c => c == '-' ? null : c.ToString())],
            PlayerX, PlayerO, Status, Winner, (int)Moves, Version,
            SqliteTime.ToDateTime(CreatedAt), SqliteTime.ToDateTime(UpdatedAt));
    }

    private const string Columns = """
        id AS Id, board AS Board, player_x AS PlayerX, player_o AS PlayerO, status AS Status, winner AS Winner,
        moves AS Moves, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public Task<bool> CreateAsync(StoredGame game, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = SqliteTime.Now(clock);
            var inserted = await connection.ExecuteAsync("""
                INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at)
                VALUES (@Id, @Board, @PlayerX, @PlayerO, @Status, @Winner, @Moves, 1, @now, @now)
                ON CONFLICT (id) DO NOTHING;
                """, Parameters(game, now), transaction);
            return inserted == 1;
        }, null, cancellationToken);

    public Task<StoredGame?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => FindAsync(connection, null, id), cancellationToken);

    public async Task<StoredGame?> UpdateAsync(string id, Func<StoredGame, StoredGame> change,
        Action<StoredGame, StoredGame>? committed, CancellationToken cancellationToken)
    {
        var (before, after) = await database.WriteAsync<(StoredGame? Before, StoredGame? After)>(async (connection, transaction) =>
        {
            var game = await FindAsync(connection, transaction, id);
            if (game is null)
                return (null, null);
            var changed = change(game);
            if (ReferenceEquals(changed, game))
                return (game, game);
            var now = SqliteTime.Now(clock);
            // The version check makes the write safe even without this process's write lock (e.g. a second server on the file).
            var updated = await connection.QuerySingleOrDefaultAsync<Row>($"""
                UPDATE games SET board = @Board, player_x = @PlayerX, player_o = @PlayerO, status = @Status, winner = @Winner,
                    moves = @Moves, version = version + 1, updated_at = @now
                WHERE id = @Id AND version = @Version
                RETURNING {Columns};
                """, Parameters(changed with { Version = game.Version }, now), transaction)
                ?? throw new InvalidOperationException($"Game '{id}' changed during its own write transaction.");
            return (game, updated.ToGame());
        }, committed is null ? null : pair =>
        {
            if (pair.Before is not null && !ReferenceEquals(pair.Before, pair.After))
                committed(pair.Before, pair.After!);
        }, cancellationToken);
        return after ?? before;
    }

    public Task<IReadOnlyList<StoredGame>> ListActiveAsync(int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<StoredGame>>(async connection =>
        {
            var rows = await connection.QueryAsync<Row>(
                $"SELECT {Columns} FROM games WHERE status IN ('waiting', 'playing') ORDER BY updated_at DESC, id LIMIT @limit;", new { limit });
            return [.. rows.Select(r => r.ToGame())];
        }, cancellationToken);

    private static async Task<StoredGame?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM games WHERE id = @id;", new { id }, transaction);
        return row?.ToGame();
    }

    private static object Parameters(StoredGame game, long now) => new
    {
        game.Id,
        Board = string.Concat(game.Board.Select(c => c ?? "-")),
        game.PlayerX,
        game.PlayerO,
        game.Status,
        game.Winner,
        game.Moves,
        game.Version,
        now,
    };
}
