namespace McpApi.Storage.Sqlite;

/// <summary>Creates or migrates the schema before the server takes requests, so a broken database stops start-up.</summary>
internal sealed class SqliteStartup(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.EnsureReadyAsync().WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
