using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpApi.Storage.PostgreSql;

/// <summary>
/// Readiness: a fresh pooled connection answers, the schema is the one this build expects, the server takes writes
/// (not a read-only standby) and commits synchronously.
/// </summary>
internal sealed class PostgreSqlHealthCheck(PostgreSqlDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.EnsureReadyAsync();
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
            await using var command = connection.Command(
                "SELECT COALESCE(MAX(version), 0), current_setting('transaction_read_only'), current_setting('synchronous_commit') FROM schema_version;", null);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (version, readOnly, synchronous) = (reader.GetInt32(0), reader.GetString(1), reader.GetString(2));
            if (version < PostgreSqlMigrations.LatestVersion)
                return HealthCheckResult.Unhealthy($"PostgreSQL schema version is {version}, expected {PostgreSqlMigrations.LatestVersion}; restart the server to migrate.");
            if (readOnly == "on")
                return HealthCheckResult.Unhealthy($"PostgreSQL at {database.Description} is read-only (a standby?); writes get 503 storage_unavailable.");
            return HealthCheckResult.Healthy($"PostgreSQL at {database.Description}, schema version {version}, takes writes, synchronous_commit={synchronous}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL at {database.Description} does not answer.", ex);
        }
    }
}
