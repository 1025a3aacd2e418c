using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// An open connection set up once (its pragmas run when it is opened, not per request) that keeps its prepared
/// statements: <see cref="Command"/> hands out the same prepared <see cref="SqliteCommand"/> for the same SQL text, so a
/// statement is parsed and planned once per connection instead of once per call. Used by one caller at a time: the
/// writer owns one, readers rent one from <see cref="SqliteDatabase"/>'s pool.
/// </summary>
public sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal SqliteSession(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>The writer's transaction while a batch is applied; null for readers.</summary>
    public SqliteTransaction? Transaction { get; internal set; }

    /// <summary>The prepared command for <paramref name="sql"/>, with no parameters, in the current transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Transaction = Transaction;
        command.Parameters.Clear();
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}

internal static class SqliteCommandExtensions
{
    /// <summary>Binds a parameter (null as SQL NULL) and returns the command, so a call reads as one expression.</summary>
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
