using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Hosts the real app in memory. Each instance gets its own data folder (and so its own SQLite file);
/// tests replace only infrastructure through <see cref="Configure"/> and <see cref="Settings"/>.
/// </summary>
internal sealed class McpApiApplication : WebApplicationFactory<Program>
{
    public McpApiApplication()
    {
        DataDirectory = Directory.CreateTempSubdirectory("mcpapi-test-").FullName;
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "mcpapi.db");

    /// <summary>Configuration overrides, e.g. <c>["McpApi:MaxRequestBytes"] = "2048"</c>.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public Action<IServiceCollection>? Configure { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:McpApi", $"Data Source={DatabasePath}");
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
