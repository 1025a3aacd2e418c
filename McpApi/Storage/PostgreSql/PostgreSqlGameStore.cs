using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// Games on PostgreSQL. An update locks the game's row (<c>SELECT ... FOR UPDATE</c>) before the rules look at it and
/// writes back only if the version is still the one read: two replicas can never both accept a move for the same turn.
/// </summary>
internal sealed class PostgreSqlGameStore(PostgreSqlDatabase database, TimeProvider clock) : IGameStore
{
    private const string Columns = "id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at";

    private const string Find = $"SELECT {Columns} FROM games WHERE id = $1;";

    private const string FindForUpdate = $"SELECT {Columns} FROM games WHERE id = $1 FOR UPDATE;";

    private const string Create = """
        INSERT INTO games (id, board, player_x, player_o, status, winner, moves, version, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)
        ON CONFLICT (id) DO NOTHING;
        """;

    private const string Update = $"""
        UPDATE games SET board = $2, player_x = $3, player_o = $4, status = $5, winner = $6, moves = $7, version = version + 1, updated_at = $8
        WHERE id = $1 AND version = $9
        RETURNING {Columns};
        """;

    private const string Active = $"SELECT {Columns} FROM games WHERE status IN ('waiting', 'playing') ORDER BY updated_at DESC, id COLLATE \"C\" LIMIT $1;";

    public Task<bool> CreateAsync(StoredGame game, CancellationToken cancellationToken) =>
        database.WriteAsync<bool>(null, async (connection, transaction) =>
        {
            await using var command = connection.Command(Create, transaction, Values(game, PostgreSqlCommands.Now(clock)));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, null, cancellationToken);

    public Task<StoredGame?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(Find, null, id);
            return await One(command, cancellationToken);
        }, cancellationToken);

    public async Task<StoredGame?> UpdateAsync(string id, Func<StoredGame, StoredGame> change,
        Action<StoredGame, StoredGame>? committed, CancellationToken cancellationToken)
    {
        // The local lock (by game id) keeps this process's after-commit events in commit order; the row lock does the rest.
        var (before, after) = await database.WriteAsync<(StoredGame? Before, StoredGame? After)>($"move:{id}", async (connection, transaction) =>
        {
            StoredGame? game;
            await using (var find = connection.Command(FindForUpdate, transaction, id))
                game = await One(find, cancellationToken);
            if (game is null)
                return (null, null);
            var changed = change(game);
            if (ReferenceEquals(changed, game))
                return (game, game);
            await using var update = connection.Command(Update, transaction, [.. Values(changed, PostgreSqlCommands.Now(clock)), game.Version]);
            return (game, await One(update, cancellationToken)
                ?? throw new InvalidOperationException($"Game '{id}' changed during its own write transaction."));
        }, committed is null ? null : pair =>
        {
            if (pair.Before is not null && !ReferenceEquals(pair.Before, pair.After))
                committed(pair.Before, pair.After!);
        }, cancellationToken);
        return after ?? before;
    }

    public Task<IReadOnlyList<StoredGame>> ListActiveAsync(int limit, CancellationToken cancellationToken) =>
        database.ListAsync(Active, [(long)limit], ToGame, 0, cancellationToken);

    private static async Task<StoredGame?> One(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ToGame(reader) : null;
    }

    private static StoredGame ToGame(NpgsqlDataReader reader) => new(
        reader.GetString(0), [.. reader.GetString(1).Select(c => c == '-' ? null : c.ToString())],
        reader.NullableString(2), reader.NullableString(3), reader.GetString(4), reader.NullableString(5),
        reader.GetInt32(6), reader.GetInt64(7), PostgreSqlCommands.ToDateTime(reader.GetInt64(8)), PostgreSqlCommands.ToDateTime(reader.GetInt64(9)));

    /// <summary>$1..$8 of <see cref="Create"/> and <see cref="Update"/>.</summary>
    private static object?[] Values(StoredGame game, long now) =>
        [game.Id, string.Concat(game.Board.Select(c => c ?? "-")), game.PlayerX, game.PlayerO, game.Status, game.Winner, game.Moves, now];
}
