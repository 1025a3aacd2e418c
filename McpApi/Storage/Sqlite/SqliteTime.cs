namespace McpApi.Storage.Sqlite;

/// <summary>Timestamps are stored as UTC Unix milliseconds and handed out as UTC <see cref="DateTime"/> (JSON "...Z").</summary>
internal static class SqliteTime
{
    public static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public static DateTime ToDateTime(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime;
}
