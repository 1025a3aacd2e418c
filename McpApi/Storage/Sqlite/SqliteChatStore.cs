using Dapper;
using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteChatStore(SqliteDatabase database, TimeProvider clock) : IChatStore
{
    // A class, not a positional record: with no rows SQLite reports aggregate columns as BLOB, and Dapper
    // then finds no constructor to match; property mapping converts whatever type the columns report.
    private sealed class RoomRow
    {
        public string Room { get; set; } = "";

        public long Messages { get; set; }

        public long LastActivity { get; set; }
    }

    private const string Columns = "id, room, user_name, text, sent_at";

    private const string Append = $"INSERT INTO chat_messages (room, user_name, text, sent_at) VALUES ($room, $user, $text, $now) RETURNING {Columns};";

    private const string After = $"SELECT {Columns} FROM chat_messages WHERE room = $room AND id > $after AND id < $before ORDER BY id LIMIT $limit;";

    // The latest ones are found newest first by the index and handed out oldest first by SQL, not by a copy in C#.
    private const string Latest = $"SELECT * FROM (SELECT {Columns} FROM chat_messages WHERE room = $room AND id < $before ORDER BY id DESC LIMIT $limit) ORDER BY id;";

    public Task<ChatMessage> AppendAsync(string room, string user, string text, Action<ChatMessage>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            using var reader = session.Command(Append)
                .With("$room", room).With("$user", user).With("$text", text).With("$now", SqliteTime.Now(clock)).ExecuteReader();
            reader.Read();
            return ToMessage(reader);
        }, committed, cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> HistoryAsync(string room, long? before, long? after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ChatMessage>>(session =>
        {
            var command = session.Command(after is not null ? After : Latest)
                .With("$room", room).With("$before", before ?? long.MaxValue).With("$limit", limit);
            if (after is not null)
                command.With("$after", after.Value);
            var messages = new List<ChatMessage>(Math.Min(limit, 64));
            using var reader = command.ExecuteReader();
            // Every row is of this room: its name is not read again per message.
            while (reader.Read())
                messages.Add(new(reader.GetInt64(0), room, reader.GetString(2), reader.GetString(3), SqliteTime.ToDateTime(reader.GetInt64(4))));
            return messages;
        }, cancellationToken);

    public Task<IReadOnlyList<ChatRoom>> RoomsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ChatRoom>>(session =>
        {
            var rows = session.Connection.Query<RoomRow>(
                "SELECT room AS Room, COUNT(*) AS Messages, MAX(sent_at) AS LastActivity FROM chat_messages GROUP BY room ORDER BY room;");
            return [.. rows.Select(r => new ChatRoom(r.Room, r.Messages, SqliteTime.ToDateTime(r.LastActivity)))];
        }, cancellationToken);

    private static ChatMessage ToMessage(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), SqliteTime.ToDateTime(reader.GetInt64(4)));
}
