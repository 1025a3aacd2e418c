using System.Text.Json;
using Dapper;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteStateStore(SqliteDatabase database, TimeProvider clock) : IStateStore
{
    private sealed record Row(string Namespace, string Key, string Value, long Version, long UpdatedAt)
    {
        public StateEntry ToEntry() => new(Namespace, Key, Parse(Value), Version, SqliteTime.ToDateTime(UpdatedAt));
    }

    private sealed record KeyRow(string Key, long Version, long UpdatedAt);

    private const string Columns = "namespace AS Namespace, state_key AS Key, value AS Value, version AS Version, updated_at AS UpdatedAt";

    public Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(
                $"SELECT {Columns} FROM state_entries WHERE namespace = @ns AND state_key = @key;", new { ns = @namespace, key });
            return row?.ToEntry();
        }, cancellationToken);

    public Task<StateWriteResult> SetAsync(string @namespace, string key, string valueJson, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var current = await CurrentVersionAsync(connection, transaction, @namespace, key);
            if (ifVersion is not null && ifVersion != current)
                return new StateWriteResult(StateOutcome.VersionConflict, null, current);
            // A key written again after a delete continues after its last version, so a stale ifVersion never matches.
            var last = current > 0 ? current : await DeletedVersionAsync(connection, transaction, @namespace, key);
            if (current == 0 && last > 0)
                await connection.ExecuteAsync("DELETE FROM state_tombstones WHERE namespace = @ns AND state_key = @key;",
                    new { ns = @namespace, key }, transaction);
            var row = await connection.QuerySingleAsync<Row>($"""
                INSERT INTO state_entries (namespace, state_key, value, version, updated_at) VALUES (@ns, @key, @value, @version, @now)
                ON CONFLICT (namespace, state_key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at
                RETURNING {Columns};
                """, new { ns = @namespace, key, value = valueJson, version = last + 1, now = SqliteTime.Now(clock) }, transaction);
            return new StateWriteResult(StateOutcome.Written, row.ToEntry(), current);
        }, OnlyChanges(committed), cancellationToken);

    public Task<StateWriteResult> DeleteAsync(string @namespace, string key, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(
                $"SELECT {Columns} FROM state_entries WHERE namespace = @ns AND state_key = @key;", new { ns = @namespace, key }, transaction);
            if (row is null)
                return new StateWriteResult(StateOutcome.NotFound, null, 0);
            if (ifVersion is not null && ifVersion != row.Version)
                return new StateWriteResult(StateOutcome.VersionConflict, null, row.Version);
            await connection.ExecuteAsync("""
                DELETE FROM state_entries WHERE namespace = @ns AND state_key = @key;
                INSERT INTO state_tombstones (namespace, state_key, version) VALUES (@ns, @key, @version)
                ON CONFLICT (namespace, state_key) DO UPDATE SET version = excluded.version;
                """, new { ns = @namespace, key, version = row.Version }, transaction);
            return new StateWriteResult(StateOutcome.Deleted, row.ToEntry(), row.Version);
        }, OnlyChanges(committed), cancellationToken);

    public Task<IReadOnlyList<StateKeyInfo>> ListAsync(string @namespace, string prefix, string? after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<StateKeyInfo>>(async connection =>
        {
            var rows = await connection.QueryAsync<KeyRow>("""
                SELECT state_key AS Key, version AS Version, updated_at AS UpdatedAt FROM state_entries
                WHERE namespace = @ns AND substr(state_key, 1, length(@prefix)) = @prefix AND (@after IS NULL OR state_key > @after)
                ORDER BY state_key LIMIT @limit;
                """, new { ns = @namespace, prefix, after, limit });
            return [.. rows.Select(r => new StateKeyInfo(r.Key, r.Version, SqliteTime.ToDateTime(r.UpdatedAt)))];
        }, cancellationToken);

    private static Task<long> CurrentVersionAsync(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction,
        string @namespace, string key) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE((SELECT version FROM state_entries WHERE namespace = @ns AND state_key = @key), 0);",
            new { ns = @namespace, key }, transaction);

    /// <summary>The version a deleted key had when it was deleted (0: never deleted, or deleted before schema step 2).</summary>
    private static Task<long> DeletedVersionAsync(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction,
        string @namespace, string key) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE((SELECT version FROM state_tombstones WHERE namespace = @ns AND state_key = @key), 0);",
            new { ns = @namespace, key }, transaction);

    private static Action<StateWriteResult>? OnlyChanges(Action<StateWriteResult>? committed) =>
        committed is null ? null : result =>
        {
            if (result.Outcome is StateOutcome.Written or StateOutcome.Deleted)
                committed(result);
        };

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
