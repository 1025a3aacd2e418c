using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>Notes on PostgreSQL. An add takes its notebook's lock before drawing the next id, so ids grow in commit order per notebook.</summary>
internal sealed class PostgreSqlNoteStore(PostgreSqlDatabase database, TimeProvider clock) : INoteStore
{
    private const string Columns = "id, notebook, text, created_at";

    private const string Add = $"INSERT INTO notes (notebook, text, created_at) VALUES ($1, $2, $3) RETURNING {Columns};";

    private const string After = $"SELECT {Columns} FROM notes WHERE notebook = $1 AND id > $2 ORDER BY id LIMIT $3;";

    private const string Newest = $"SELECT * FROM (SELECT {Columns} FROM notes WHERE notebook = $1 ORDER BY id DESC LIMIT $2) AS newest ORDER BY id;";

    private const string Latest = $"SELECT {Columns} FROM notes WHERE notebook = $1 ORDER BY id DESC LIMIT 1;";

    private const string Delete = "DELETE FROM notes WHERE notebook = $1 AND id = $2;";

    private const string Notebooks = "SELECT notebook, COUNT(*), MAX(created_at) FROM notes GROUP BY notebook ORDER BY notebook COLLATE \"C\";";

    public Task<Note> AddAsync(string notebook, string text, Action<Note>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync($"notes:{notebook}", async (connection, transaction) =>
        {
            await using var command = connection.Command(Add, transaction, notebook, text, PostgreSqlCommands.Now(clock));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return ToNote(reader);
        }, committed, cancellationToken);

    public Task<IReadOnlyList<Note>> ListAsync(string notebook, long after, int limit, CancellationToken cancellationToken) =>
        database.ListAsync(After, [notebook, after, (long)limit], ToNote, limit, cancellationToken);

    public Task<IReadOnlyList<Note>> NewestAsync(string notebook, int limit, CancellationToken cancellationToken) =>
        database.ListAsync(Newest, [notebook, (long)limit], ToNote, limit, cancellationToken);

    public Task<Note?> LatestAsync(string notebook, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(Latest, null, notebook);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ToNote(reader) : null;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string notebook, long id, CancellationToken cancellationToken) =>
        database.WriteAsync<bool>(null, async (connection, transaction) =>
        {
            await using var command = connection.Command(Delete, transaction, notebook, id);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, null, cancellationToken);

    public Task<IReadOnlyList<NotebookInfo>> NotebooksAsync(CancellationToken cancellationToken) =>
        database.ListAsync(Notebooks, [], reader => new NotebookInfo(reader.GetString(0), reader.GetInt64(1), PostgreSqlCommands.ToDateTime(reader.GetInt64(2))),
            0, cancellationToken);

    private static Note ToNote(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), PostgreSqlCommands.ToDateTime(reader.GetInt64(3)));
}
