using Dapper;
using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

internal sealed class SqliteStateStore(SqliteDatabase database, TimeProvider clock) : IStateStore
{
    private sealed record KeyRow(string Key, long Version, long UpdatedAt);

    private const string Columns = "namespace, state_key, value, version, updated_at";

    private const string Get = $"SELECT {Columns} FROM state_entries WHERE namespace = $ns AND state_key = $key;";

    /// <summary>The stored version (0: absent) and the version the key had when last deleted (0: never, or before schema step 2).</summary>
    private const string Versions = """
        SELECT COALESCE((SELECT version FROM state_entries WHERE namespace = $ns AND state_key = $key), 0),
               COALESCE((SELECT version FROM state_tombstones WHERE namespace = $ns AND state_key = $key), 0);
        """;

    private const string ForgetTombstone = "DELETE FROM state_tombstones WHERE namespace = $ns AND state_key = $key;";

    private const string Upsert = """
        INSERT INTO state_entries (namespace, state_key, value, version, updated_at) VALUES ($ns, $key, $value, $version, $now)
        ON CONFLICT (namespace, state_key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at;
        """;

    private const string Remove = "DELETE FROM state_entries WHERE namespace = $ns AND state_key = $key;";

    private const string Namespaces = "SELECT namespace, COUNT(*), MAX(updated_at) FROM state_entries GROUP BY namespace ORDER BY namespace;";

    private const string Tombstone = """
        INSERT INTO state_tombstones (namespace, state_key, version) VALUES ($ns, $key, $version)
        ON CONFLICT (namespace, state_key) DO UPDATE SET version = excluded.version;
        """;

    public Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        database.ReadAsync(session => Find(session, @namespace, key), cancellationToken);

    public Task<StateWriteResult> SetAsync(string @namespace, string key, string valueJson, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken)
    {
        // Encoded here, on the caller's thread, so the single writer spends its time on SQL only.
        var value = StoredJson.FromText(valueJson);
        return database.WriteAsync(session =>
        {
            long current, deleted;
            using (var versions = session.Command(Versions).With("$ns", @namespace).With("$key", key).ExecuteReader())
            {
                versions.Read();
                (current, deleted) = (versions.GetInt64(0), versions.GetInt64(1));
            }
            if (ifVersion is not null && ifVersion != current)
                return new StateWriteResult(StateOutcome.VersionConflict, null, current);
            // A key written again after a delete continues after its last version, so a stale ifVersion never matches.
            var version = (current > 0 ? current : deleted) + 1;
            if (current == 0 && deleted > 0)
                session.Command(ForgetTombstone).With("$ns", @namespace).With("$key", key).ExecuteNonQuery();
            var now = SqliteTime.Now(clock);
            session.Command(Upsert).With("$ns", @namespace).With("$key", key).With("$value", valueJson)
                .With("$version", version).With("$now", now).ExecuteNonQuery();
            return new StateWriteResult(StateOutcome.Written, new StateEntry(@namespace, key, value, version, SqliteTime.ToDateTime(now)), current);
        }, OnlyChanges(committed), cancellationToken);
    }

    public Task<StateWriteResult> DeleteAsync(string @namespace, string key, long? ifVersion,
        Action<StateWriteResult>? committed, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            var entry = Find(session, @namespace, key);
            if (entry is null)
                return new StateWriteResult(StateOutcome.NotFound, null, 0);
            if (ifVersion is not null && ifVersion != entry.Version)
                return new StateWriteResult(StateOutcome.VersionConflict, null, entry.Version);
            session.Command(Remove).With("$ns", @namespace).With("$key", key).ExecuteNonQuery();
            session.Command(Tombstone).With("$ns", @namespace).With("$key", key).With("$version", entry.Version).ExecuteNonQuery();
            return new StateWriteResult(StateOutcome.Deleted, entry, entry.Version);
        }, OnlyChanges(committed), cancellationToken);

    public Task<IReadOnlyList<StateKeyInfo>> ListAsync(string @namespace, string prefix, string? after, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<StateKeyInfo>>(session =>
        {
            var rows = session.Connection.Query<KeyRow>("""
                SELECT state_key AS Key, version AS Version, updated_at AS UpdatedAt FROM state_entries
                WHERE namespace = @ns AND substr(state_key, 1, length(@prefix)) = @prefix AND (@after IS NULL OR state_key > @after)
                ORDER BY state_key LIMIT @limit;
                """, new { ns = @namespace, prefix, after, limit });
            return [.. rows.Select(r => new StateKeyInfo(r.Key, r.Version, SqliteTime.ToDateTime(r.UpdatedAt)))];
        }, cancellationToken);

    public Task<IReadOnlyList<StateNamespaceInfo>> NamespacesAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<StateNamespaceInfo>>(session =>
        {
            var namespaces = new List<StateNamespaceInfo>();
            using var reader = session.Command(Namespaces).ExecuteReader();
            while (reader.Read())
                namespaces.Add(new StateNamespaceInfo(reader.GetString(0), reader.GetInt64(1), SqliteTime.ToDateTime(reader.GetInt64(2))));
            return namespaces;
        }, cancellationToken);

    private static StateEntry? Find(SqliteSession session, string @namespace, string key)
    {
        using var reader = session.Command(Get).With("$ns", @namespace).With("$key", key).ExecuteReader();
        return reader.Read() ? ToEntry(reader) : null;
    }

    private static StateEntry ToEntry(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), StoredJson.FromUtf8(reader.GetFieldValue<byte[]>(2)), reader.GetInt64(3), SqliteTime.ToDateTime(reader.GetInt64(4)));

    private static Action<StateWriteResult>? OnlyChanges(Action<StateWriteResult>? committed) =>
        committed is null ? null : result =>
        {
            if (result.Outcome is StateOutcome.Written or StateOutcome.Deleted)
                committed(result);
        };
}
