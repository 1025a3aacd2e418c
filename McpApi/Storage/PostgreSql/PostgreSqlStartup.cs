using McpApi.Hosting;
using Npgsql;

namespace McpApi.Storage.PostgreSql;

/// <summary>Migrates the schema before the server takes requests, so an unreachable or refusing database stops start-up with a clear reason.</summary>
internal sealed class PostgreSqlStartup(PostgreSqlDatabase database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.EnsureReadyAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new StartupFailureException(
                $"PostgreSQL at {database.Description} cannot be used: {ex.Message.TrimEnd('.')}. "
                + "Check that the server runs and that ConnectionStrings:McpApi names a database this user may create tables in, "
                + $"e.g. \"{PostgreSqlStorageOptions.Example}\".", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
