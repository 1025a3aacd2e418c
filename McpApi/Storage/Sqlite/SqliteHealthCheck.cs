using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// Readiness: the database opens, answers a query, has the schema this build expects and can take writes — a write
/// probe (<c>BEGIN IMMEDIATE</c>, then <c>ROLLBACK</c>: the write lock, nothing written) fails as a real write would
/// when the file is locked by another process past <c>Storage:BusyTimeoutMilliseconds</c> or is read-only.
/// </summary>
internal sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // A fresh connection, not a pooled reader: readiness checks that the file can still be opened.
            await database.EnsureReadyAsync();
            // Before opening a connection: one opened at the path of a deleted file would create an empty file there.
            if (database.FileGuard.Check() is { } lost)
                return HealthCheckResult.Unhealthy($"SQLite at {database.DataSource} is lost: {lost}");
            await using var connection = await database.OpenRawAsync(cancellationToken);
            var version = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version;");
            if (version < SqliteMigrations.LatestVersion)
                return HealthCheckResult.Unhealthy($"SQLite schema version is {version}, expected {SqliteMigrations.LatestVersion}; restart the server to migrate.");
            try
            {
                await connection.ExecuteAsync("BEGIN IMMEDIATE; ROLLBACK;");
            }
            catch (SqliteException ex)
            {
                return HealthCheckResult.Unhealthy(
                    $"SQLite at {database.DataSource} answers reads but cannot take writes ({StorageFailure(ex)}); writes get 503 storage_unavailable.", ex);
            }
            return HealthCheckResult.Healthy($"SQLite at {database.DataSource}, schema version {version}, takes writes.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"SQLite at {database.DataSource} does not answer.", ex);
        }
    }

    private static string StorageFailure(SqliteException ex) => ex.SqliteErrorCode switch
    {
        5 or 6 => "locked by another process",
        8 => "read-only",
        _ => $"SQLite error {ex.SqliteErrorCode}",
    };
}
