using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// State on PostgreSQL. Every write takes its key's lock first, then reads the stored version and the tombstone's, so a
/// compare-and-set decides on the latest committed version on every replica: no lost update, and a version is never handed
/// out twice (a key written again after a delete continues after the version it was deleted at).
/// </summary>
internal sealed class PostgreSqlStateStore(PostgreSqlDatabase database, TimeProvider clock) : IStateStore
{
    private const string Columns = "namespace, state_key, value, version, updated_at";

    private const string Get = $"SELECT {Columns} FROM state_entries WHERE namespace = $1 AND state_key = $2;";

    private const string Versions = """
        SELECT COALESCE((SELECT version FROM state_entries WHERE namespace = $1 AND state_key = $2), 0),
               COALESCE((SELECT version FROM state_tombstones WHERE namespace = $1 AND state_key = $2), 0);
        """;

    private const string ForgetTombstone = "DELETE FROM state_tombstones WHERE namespace = $1 AND state_key = $2;";

    private const string Upsert = """
        INSERT INTO state_entries (namespace, state_key, value, version, updated_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (namespace, state_key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at;
        """;

    private const string Remove = "DELETE FROM state_entries WHERE namespace = $1 AND state_key = $2;";

    private const string Namespaces = "SELECT namespace, COUNT(*), MAX(updated_at) FROM state_entries GROUP BY namespace ORDER BY namespace COLLATE \"C\";";

    private const string Tombstone = """
        INSERT INTO state_tombstones (namespace, state_key, version) VALUES ($1, $2, $3)
        ON CONFLICT (namespace, state_key) DO UPDATE SET version = excluded.version;
        """;

    private const string Keys = """
        SELECT state_key, version, updated_at FROM state_entries
        WHERE namespace = $1 AND starts_with(state_key, $2) AND ($3::text IS NULL OR state_key > $3::text)
        ORDER BY state_key LIMIT $4;
        """;

    public Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        database.ReadAsync(connection => Find(connection, null, @namespace, key, cancellationToken), cancellationToken);

    public Task<StateWriteResult> SetAsync(string @namespace, string key, string valueJson, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken)
    {
        var value = StoredJson.FromText(valueJson);
        return database.WriteAsync(LockKey(@namespace, key), async (connection, transaction) =>
        {
            long current, deleted;
            await using (var versions = connection.Command(Versions, transaction, @namespace, key))
            await using (var reader = await versions.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                (current, deleted) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (ifVersion is not null && ifVersion != current)
                return new StateWriteResult(StateOutcome.VersionConflict, null, current);
            var version = (current > 0 ? current : deleted) + 1;
            if (current == 0 && deleted > 0)
            {
                await using var forget = connection.Command(ForgetTombstone, transaction, @namespace, key);
                await forget.ExecuteNonQueryAsync(cancellationToken);
            }
            var now = PostgreSqlCommands.Now(clock);
            await using (var upsert = connection.Command(Upsert, transaction, @namespace, key, valueJson, version, now))
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            return new StateWriteResult(StateOutcome.Written, new StateEntry(@namespace, key, value, version, PostgreSqlCommands.ToDateTime(now)), current);
        }, OnlyChanges(committed), cancellationToken);
    }

    public Task<StateWriteResult> DeleteAsync(string @namespace, string key, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(LockKey(@namespace, key), async (connection, transaction) =>
        {
            var entry = await Find(connection, transaction, @namespace, key, cancellationToken);
            if (entry is null)
                return new StateWriteResult(StateOutcome.NotFound, null, 0);
            if (ifVersion is not null && ifVersion != entry.Version)
                return new StateWriteResult(StateOutcome.VersionConflict, null, entry.Version);
            await using (var remove = connection.Command(Remove, transaction, @namespace, key))
                await remove.ExecuteNonQueryAsync(cancellationToken);
            await using (var tombstone = connection.Command(Tombstone, transaction, @namespace, key, entry.Version))
                await tombstone.ExecuteNonQueryAsync(cancellationToken);
            return new StateWriteResult(StateOutcome.Deleted, entry, entry.Version);
        }, OnlyChanges(committed), cancellationToken);

    public Task<IReadOnlyList<StateKeyInfo>> ListAsync(string @namespace, string prefix, string? after, int limit, CancellationToken cancellationToken) =>
        database.ListAsync(Keys, [@namespace, prefix, after, (long)limit],
            reader => new StateKeyInfo(reader.GetString(0), reader.GetInt64(1), PostgreSqlCommands.ToDateTime(reader.GetInt64(2))), limit, cancellationToken);

    public Task<IReadOnlyList<StateNamespaceInfo>> NamespacesAsync(CancellationToken cancellationToken) =>
        database.ListAsync(Namespaces, [],
            reader => new StateNamespaceInfo(reader.GetString(0), reader.GetInt64(1), PostgreSqlCommands.ToDateTime(reader.GetInt64(2))), 0, cancellationToken);

    /// <summary>The namespace's length first, so ("a:b", "c") and ("a", "b:c") are different keys.</summary>
    private static string LockKey(string @namespace, string key) => $"state:{@namespace.Length}:{@namespace}:{key}";

    private static async Task<StateEntry?> Find(NpgsqlConnection connection, NpgsqlTransaction? transaction, string @namespace, string key,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command(Get, transaction, @namespace, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StateEntry(reader.GetString(0), reader.GetString(1), StoredJson.FromText(reader.GetString(2)), reader.GetInt64(3), PostgreSqlCommands.ToDateTime(reader.GetInt64(4)))
            : null;
    }

    private static Action<StateWriteResult>? OnlyChanges(Action<StateWriteResult>? committed) =>
        committed is null ? null : result =>
        {
            if (result.Outcome is StateOutcome.Written or StateOutcome.Deleted)
                committed(result);
        };
}
