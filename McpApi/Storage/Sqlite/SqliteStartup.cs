using McpApi.Hosting;
using Microsoft.Data.Sqlite;

namespace McpApi.Storage.Sqlite;

/// <summary>Creates or migrates the schema before the server takes requests, so a broken database stops start-up.</summary>
internal sealed class SqliteStartup(SqliteDatabase database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.EnsureReadyAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StartupFailureException(
                $"The database {database.DataSource} cannot be opened or created: {ex.Message.TrimEnd('.')}. "
                + "Make its folder writable by this user, or set ConnectionStrings:McpApi to another file, "
                + "e.g. \"Data Source=/var/lib/mcpapi/mcpapi.db\".", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
