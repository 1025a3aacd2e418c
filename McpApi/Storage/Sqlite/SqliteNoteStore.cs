using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteNoteStore(SqliteDatabase database, TimeProvider clock) : INoteStore
{
    private const string Columns = "id, notebook, text, created_at";

    private const string Add = $"INSERT INTO notes (notebook, text, created_at) VALUES ($notebook, $text, $now) RETURNING {Columns};";

    private const string After = $"SELECT {Columns} FROM notes WHERE notebook = $notebook AND id > $after ORDER BY id LIMIT $limit;";

    // Newest first by the index, handed out oldest first by SQL rather than by a reversed copy.
    private const string Newest = $"SELECT * FROM (SELECT {Columns} FROM notes WHERE notebook = $notebook ORDER BY id DESC LIMIT $limit) ORDER BY id;";

    private const string Latest = $"SELECT {Columns} FROM notes WHERE notebook = $notebook ORDER BY id DESC LIMIT 1;";

    private const string Delete = "DELETE FROM notes WHERE notebook = $notebook AND id = $id;";

    private const string Notebooks = "SELECT notebook, COUNT(*), MAX(created_at) FROM notes GROUP BY notebook ORDER BY notebook;";

    public Task<Note> AddAsync(string notebook, string text, Action<Note>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            using var reader = session.Command(Add).With("$notebook", notebook).With("$text", text).With("$now", SqliteTime.Now(clock)).ExecuteReader();
            reader.Read();
            return ToNote(reader);
        }, committed, cancellationToken);

    public Task<IReadOnlyList<Note>> ListAsync(string notebook, long after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(session => Notes(session.Command(After).With("$notebook", notebook).With("$after", after).With("$limit", limit), limit),
            cancellationToken);

    public Task<IReadOnlyList<Note>> NewestAsync(string notebook, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(session => Notes(session.Command(Newest).With("$notebook", notebook).With("$limit", limit), limit), cancellationToken);

    public Task<Note?> LatestAsync(string notebook, CancellationToken cancellationToken) =>
        database.ReadAsync(session =>
        {
            using var reader = session.Command(Latest).With("$notebook", notebook).ExecuteReader();
            return reader.Read() ? ToNote(reader) : null;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string notebook, long id, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Command(Delete).With("$notebook", notebook).With("$id", id).ExecuteNonQuery() > 0,
            null, cancellationToken);

    public Task<IReadOnlyList<NotebookInfo>> NotebooksAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<NotebookInfo>>(session =>
        {
            var notebooks = new List<NotebookInfo>();
            using var reader = session.Command(Notebooks).ExecuteReader();
            while (reader.Read())
                notebooks.Add(new NotebookInfo(reader.GetString(0), reader.GetInt64(1), SqliteTime.ToDateTime(reader.GetInt64(2))));
            return notebooks;
        }, cancellationToken);

    private static IReadOnlyList<Note> Notes(SqliteCommand command, int limit)
    {
        var notes = new List<Note>(Math.Min(limit, 64));
        using var reader = command.ExecuteReader();
        while (reader.Read())
            notes.Add(ToNote(reader));
        return notes;
    }

    private static Note ToNote(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), SqliteTime.ToDateTime(reader.GetInt64(3)));
}
