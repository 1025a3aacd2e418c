using Dapper;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteNoteStore(SqliteDatabase database, TimeProvider clock) : INoteStore
{
    private sealed record Row(long Id, string Notebook, string Text, long CreatedAt)
    {
        public Note ToNote() => new(Id, Notebook, Text, SqliteTime.ToDateTime(CreatedAt));
    }

    private const string Columns = "id AS Id, notebook AS Notebook, text AS Text, created_at AS CreatedAt";

    public Task<Note> AddAsync(string notebook, string text, Action<Note>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var row = await connection.QuerySingleAsync<Row>(
                $"INSERT INTO notes (notebook, text, created_at) VALUES (@notebook, @text, @now) RETURNING {Columns};",
                new { notebook, text, now = SqliteTime.Now(clock) }, transaction);
            return row.ToNote();
        }, committed, cancellationToken);

    public Task<IReadOnlyList<Note>> ListAsync(string notebook, long after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Note>>(async connection =>
        {
            var rows = await connection.QueryAsync<Row>(
                $"SELECT {Columns} FROM notes WHERE notebook = @notebook AND id > @after ORDER BY id LIMIT @limit;",
                new { notebook, after, limit });
            return [.. rows.Select(r => r.ToNote())];
        }, cancellationToken);

    public Task<IReadOnlyList<Note>> NewestAsync(string notebook, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Note>>(async connection =>
        {
            var rows = await connection.QueryAsync<Row>(
                $"SELECT {Columns} FROM notes WHERE notebook = @notebook ORDER BY id DESC LIMIT @limit;", new { notebook, limit });
            return [.. rows.Select(r => r.ToNote()).Reverse()];
        }, cancellationToken);

    public Task<Note?> LatestAsync(string notebook, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(
                $"SELECT {Columns} FROM notes WHERE notebook = @notebook ORDER BY id DESC LIMIT 1;", new { notebook });
            return row?.ToNote();
        }, cancellationToken);

    public Task<bool> DeleteAsync(string notebook, long id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync("DELETE FROM notes WHERE notebook = @notebook AND id = @id;", new { notebook, id }, transaction) > 0,
            null, cancellationToken);
}
