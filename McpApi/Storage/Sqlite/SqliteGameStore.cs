using Dapper;
using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteGameStore(SqliteDatabase database, TimeProvider clock) : IGameStore
{
    /// <summary><c>board</c> is 9 characters, row by row: 'X', 'O' or '-' for an empty cell.</summary>
    private sealed record Row(string Id, string Board, string? PlayerX, string? PlayerO, string Status, string? Winner,
        long Moves, long Version, long CreatedAt, long UpdatedAt)
    {
        public StoredGame ToGame() => new(Id, Cells(Board), PlayerX, PlayerO, Status, Winner, (int)Moves, Version,
            SqliteTime.ToDateTime(CreatedAt), SqliteTime.ToDateTime(UpdatedAt));
    }

    private const string Columns = "id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at";

    private const string Find = $"SELECT {Columns} FROM games WHERE id = $id;";

    private const string Create = """
        INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at)
        VALUES ($id, $board, $player_x, $player_o, $status, $winner, $moves, 1, $now, $now)
        ON CONFLICT (id) DO NOTHING;
        """;

    // The version check makes the write safe even without this process's single writer (e.g. a second server on the file).
    private const string Update = $"""
        UPDATE games SET board = $board, player_x = $player_x, player_o = $player_o, status = $status, winner = $winner,
            moves = $moves, version = version + 1, updated_at = $now
        WHERE id = $id AND version = $version
        RETURNING {Columns};
        """;

    public Task<bool> CreateAsync(StoredGame game, CancellationToken cancellationToken) =>
        database.WriteAsync(session => Bind(session.Command(Create), game, SqliteTime.Now(clock)).ExecuteNonQuery() == 1, null, cancellationToken);

    public Task<StoredGame?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(session => Get(session, id), cancellationToken);

    public async Task<StoredGame?> UpdateAsync(string id, Func<StoredGame, StoredGame> change,
        Action<StoredGame, StoredGame>? committed, CancellationToken cancellationToken)
    {
        var (before, after) = await database.WriteAsync<(StoredGame? Before, StoredGame? After)>(session =>
        {
            var game = Get(session, id);
            if (game is null)
                return (null, null);
            var changed = change(game);
            if (ReferenceEquals(changed, game))
                return (game, game);
            using var reader = Bind(session.Command(Update), changed, SqliteTime.Now(clock)).With("$version", game.Version).ExecuteReader();
            if (!reader.Read())
                throw new InvalidOperationException($"Game '{id}' changed during its own write transaction.");
            return (game, ToGame(reader));
        }, committed is null ? null : pair =>
        {
            if (pair.Before is not null && !ReferenceEquals(pair.Before, pair.After))
                committed(pair.Before, pair.After!);
        }, cancellationToken);
        return after ?? before;
    }

    public Task<IReadOnlyList<StoredGame>> ListActiveAsync(int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<StoredGame>>(session =>
        {
            var rows = session.Connection.Query<Row>("""
                SELECT id AS Id, board AS Board, player_x AS PlayerX, player_o AS PlayerO, status AS Status, winner AS Winner,
                    moves AS Moves, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
                FROM games WHERE status IN ('waiting', 'playing') ORDER BY updated_at DESC, id LIMIT @limit;
                """, new { limit });
            return [.. rows.Select(r => r.ToGame())];
        }, cancellationToken);

    private static StoredGame? Get(SqliteSession session, string id)
    {
        using var reader = session.Command(Find).With("$id", id).ExecuteReader();
        return reader.Read() ? ToGame(reader) : null;
    }

    private static StoredGame ToGame(SqliteDataReader reader) => new(
        reader.GetString(0), Cells(reader.GetString(1)),
        reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
        (int)reader.GetInt64(6), reader.GetInt64(7), SqliteTime.ToDateTime(reader.GetInt64(8)), SqliteTime.ToDateTime(reader.GetInt64(9)));

    private static string?[] Cells(string board) => [.. board.Select(c => c == '-' ? null : c.ToString())];

    private static SqliteCommand Bind(SqliteCommand command, StoredGame game, long now) => command
        .With("$id", game.Id)
        .With("$board", string.Concat(game.Board.Select(c => c ?? "-")))
        .With("$player_x", game.PlayerX)
        .With("$player_o", game.PlayerO)
        .With("$status", game.Status)
        .With("$winner", game.Winner)
        .With("$moves", game.Moves)
        .With("$now", now);
}
