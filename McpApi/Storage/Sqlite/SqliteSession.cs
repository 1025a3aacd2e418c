using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// An open connection set up once (its pragmas run when it is opened, not per request) that keeps its prepared
/// statements: <see cref="Command"/> hands out the same prepared <see cref="SqliteCommand"/> for the same SQL text, so a
/// statement is parsed and planned once per connection instead of once per call, and its parameter objects are kept and
/// given new values (<see cref="SqliteCommandExtensions.With"/>) rather than created anew. Used by one caller at a time: the
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

    /// <summary>How many commands this session has prepared (one per distinct SQL text it was asked for).</summary>
    internal int PreparedCommands => _commands.Count;

    /// <summary>
    /// The prepared command for <paramref name="sql"/> in the current transaction, every parameter unbound: a parameter
    /// the caller does not bind again fails the statement (as a missing one would) instead of reusing the last value.
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Transaction = Transaction;
        var parameters = command.Parameters;
        for (var i = 0; i < parameters.Count; i++)
            parameters[i].Value = null;
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
    /// <summary>
    /// Binds a parameter (null as SQL NULL) and returns the command, so a call reads as one expression. The command's
    /// parameter of that name is reused when it has one (a session's commands keep theirs from call to call).
    /// </summary>
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (string.Equals(parameters[i].ParameterName, name, StringComparison.Ordinal))
            {
                parameters[i].Value = value ?? DBNull.Value;
                return command;
            }
        }
        parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
