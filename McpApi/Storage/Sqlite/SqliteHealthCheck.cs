using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpApi.Storage.Sqlite;

/// <summary>Readiness: the database opens, answers a query and has the schema this build expects.</summary>
internal sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // A fresh connection, not a pooled reader: readiness checks that the file can still be opened.
            await database.EnsureReadyAsync();
            await using var connection = await database.OpenRawAsync(cancellationToken);
            var version = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version;");
            return version >= SqliteMigrations.LatestVersion
                ? HealthCheckResult.Healthy($"SQLite at {database.DataSource}, schema version {version}.")
                : HealthCheckResult.Unhealthy($"SQLite schema version is {version}, expected {SqliteMigrations.LatestVersion}; restart the server to migrate.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"SQLite at {database.DataSource} does not answer.", ex);
        }
    }
}
