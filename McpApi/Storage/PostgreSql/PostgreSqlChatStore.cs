using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// Chat on PostgreSQL. An append takes its room's lock before drawing the next id, so within a room ids grow in commit
/// order on every replica (a reader that saw id n never later finds a smaller id committed in that room).
/// </summary>
internal sealed class PostgreSqlChatStore(PostgreSqlDatabase database, TimeProvider clock) : IChatStore
{
    private const string Columns = "id, room, user_name, text, sent_at";

    private const string Append = $"INSERT INTO chat_messages (room, user_name, text, sent_at) VALUES ($1, $2, $3, $4) RETURNING {Columns};";

    private const string After = $"SELECT {Columns} FROM chat_messages WHERE room = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4;";

    private const string Latest = $"SELECT * FROM (SELECT {Columns} FROM chat_messages WHERE room = $1 AND id < $2 ORDER BY id DESC LIMIT $3) AS latest ORDER BY id;";

    private const string Rooms = "SELECT room, COUNT(*), MAX(sent_at) FROM chat_messages GROUP BY room ORDER BY room COLLATE \"C\";";

    public Task<ChatMessage> AppendAsync(string room, string user, string text, Action<ChatMessage>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync($"chat:{room}", async (connection, transaction) =>
        {
            await using var command = connection.Command(Append, transaction, room, user, text, PostgreSqlCommands.Now(clock));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return ToMessage(reader);
        }, committed, cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> HistoryAsync(string room, long? before, long? after, int limit, CancellationToken cancellationToken) =>
        after is not null
            ? database.ListAsync(After, [room, after.Value, before ?? long.MaxValue, (long)limit], ToMessage, limit, cancellationToken)
            : database.ListAsync(Latest, [room, before ?? long.MaxValue, (long)limit], ToMessage, limit, cancellationToken);

    public Task<IReadOnlyList<ChatRoom>> RoomsAsync(CancellationToken cancellationToken) =>
        database.ListAsync(Rooms, [], reader => new ChatRoom(reader.GetString(0), reader.GetInt64(1), PostgreSqlCommands.ToDateTime(reader.GetInt64(2))),
            0, cancellationToken);

    private static ChatMessage ToMessage(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), PostgreSqlCommands.ToDateTime(reader.GetInt64(4)));
}
