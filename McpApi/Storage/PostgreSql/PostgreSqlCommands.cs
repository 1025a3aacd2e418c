using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>Positional commands (<c>$1, $2, ...</c>): the form Npgsql prepares and sends without rewriting the SQL.</summary>
internal static class PostgreSqlCommands
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public static DateTime ToDateTime(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime;
}
