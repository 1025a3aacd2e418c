using Dapper;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteChatStore(SqliteDatabase database, TimeProvider clock) : IChatStore
{
    private sealed record Row(long Id, string Room, string User, string Text, long SentAt)
    {
        public ChatMessage ToMessage() => new(Id, Room, User, Text, SqliteTime.ToDateTime(SentAt));
    }

    // A class, not a positional record: with no rows SQLite reports aggregate columns as BLOB, and Dapper
    // then finds no constructor to match; property mapping converts whatever type the columns report.
    private sealed class RoomRow
    {
        public string Room { get; set; } = "";

        public long Messages { get; set; }

        public long LastActivity { get; set; }
    }

    private const string Columns = "id AS Id, room AS Room, user_name AS User, text AS Text, sent_at AS SentAt";

    public Task<ChatMessage> AppendAsync(string room, string user, string text, Action<ChatMessage>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var row = await connection.QuerySingleAsync<Row>(
                $"INSERT INTO chat_messages (room, user_name, text, sent_at) VALUES (@room, @user, @text, @now) RETURNING {Columns};",
                new { room, user, text, now = SqliteTime.Now(clock) }, transaction);
            return row.ToMessage();
        }, committed, cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> HistoryAsync(string room, long? before, long? after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ChatMessage>>(async connection =>
        {
            var parameters = new { room, before = before ?? long.MaxValue, after = after ?? 0, limit };
            IEnumerable<Row> rows = after is not null
                ? await connection.QueryAsync<Row>(
                    $"SELECT {Columns} FROM chat_messages WHERE room = @room AND id > @after AND id < @before ORDER BY id LIMIT @limit;", parameters)
                : (await connection.QueryAsync<Row>(
                    $"SELECT {Columns} FROM chat_messages WHERE room = @room AND id < @before ORDER BY id DESC LIMIT @limit;", parameters)).Reverse();
            return [.. rows.Select(r => r.ToMessage())];
        }, cancellationToken);

    public Task<IReadOnlyList<ChatRoom>> RoomsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ChatRoom>>(async connection =>
        {
            var rows = await connection.QueryAsync<RoomRow>(
                "SELECT room AS Room, COUNT(*) AS Messages, MAX(sent_at) AS LastActivity FROM chat_messages GROUP BY room ORDER BY room;");
            return [.. rows.Select(r => new ChatRoom(r.Room, r.Messages, SqliteTime.ToDateTime(r.LastActivity)))];
        }, cancellationToken);
}
