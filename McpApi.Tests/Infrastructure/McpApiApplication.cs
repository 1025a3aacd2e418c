using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Hosts the real app in memory. Each instance gets its own data folder (and so its own SQLite file);
/// tests replace only infrastructure through <see cref="Configure"/> and <see cref="Settings"/>.
/// On <see cref="TestStorage.PostgreSql"/> it gets a database of its own on the run's <see cref="PostgreSqlServer"/> instead.
/// </summary>
internal sealed class McpApiApplication : WebApplicationFactory<Program>
{
    /// <param name="sharedConnectionString">Another app's <see cref="ConnectionString"/>: two servers on one database, as replicas are.</param>
    public McpApiApplication(TestStorage storage = TestStorage.Sqlite, string? sharedConnectionString = null)
    {
        DataDirectory = Directory.CreateTempSubdirectory("mcpapi-test-").FullName;
        Storage = storage;
        if (sharedConnectionString is not null)
        {
            ConnectionString = sharedConnectionString;
        }
        else if (storage == TestStorage.PostgreSql)
        {
            // Off xunit's synchronization context: a constructor cannot await.
            ConnectionString = Task.Run(async () => await (await PostgreSqlServer.InstanceAsync()).CreateDatabaseAsync()).GetAwaiter().GetResult();
        }
        else
        {
            ConnectionString = $"Data Source={DatabasePath}";
        }
    }

    public TestStorage Storage { get; }

    /// <summary>ConnectionStrings:McpApi: the SQLite file in <see cref="DataDirectory"/>, or this app's PostgreSQL database.</summary>
    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "mcpapi.db");

    /// <summary>Configuration overrides, e.g. <c>["McpApi:MaxRequestBytes"] = "2048"</c>.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public Action<IServiceCollection>? Configure { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:McpApi", ConnectionString);
        if (Storage == TestStorage.PostgreSql)
            builder.UseSetting("Storage:Provider", "PostgreSql");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => Configure?.Invoke(services));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
