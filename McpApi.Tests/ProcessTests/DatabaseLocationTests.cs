using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// Where the database lands by default depends on how the server is run, never on the folder it is started from:
/// <c>dotnet run --project McpApi</c> in a checkout uses the repository's <c>data/</c>, a published app (and the Docker
/// image, /app) its own <c>data/</c>. The path is printed at start-up.
/// </summary>
public sealed class DatabaseLocationTests : IDisposable
{
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("mcpapi-cwd-").FullName;

    public DatabaseLocationTests()
    {
        // A folder with its own appsettings.json: starting there must not move the database.
        File.WriteAllText(Path.Combine(_elsewhere, "appsettings.json"), "{}");
    }

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);

    [Fact]
    public async Task APublishedServerKeepsItsDatabaseInDataBesideItselfWhereverItIsStarted()
    {
        var appFolder = Path.GetDirectoryName(Path.GetFullPath(ServerProcess.ServerDll))!;
        var expected = Path.Combine(appFolder, "data", "mcpapi.db");

        var line = await DatabaseLineAsync("dotnet", [ServerProcess.ServerDll]);

        line.ShouldContain($"SQLite storage ready at {expected} ");
    }

    [Fact]
    public async Task DotnetRunInTheCheckoutKeepsTheDatabaseInTheRepositorysDataFolderWhereverItIsStarted()
    {
        // The default file name is checked above; a file of the test's own keeps a running server's database untouched.
        var name = $"test-{Guid.NewGuid():N}.db";
        var expected = Path.Combine(ExternalProcess.RepoRoot, "data", name);
        try
        {
            var line = await DatabaseLineAsync("dotnet",
                ["run", "--project", Path.Combine(ExternalProcess.RepoRoot, "McpApi"), "--no-build", "-c", BuildConfiguration(), "--",
                 $"--ConnectionStrings:McpApi=Data Source=data/{name}"]);

            line.ShouldContain($"SQLite storage ready at {expected} ");
        }
        finally
        {
            foreach (var file in new[] { expected, expected + "-wal", expected + "-shm" })
                File.Delete(file);
        }
    }

    /// <summary>Starts the server from an unrelated folder on free ports and returns the line naming its database.</summary>
    private async Task<string> DatabaseLineAsync(string file, string[] arguments)
    {
        string[] doors = [$"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", $"--McpApi:Tcp:Port={ServerProcess.FreePort()}"];
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__McpApi"] = null, // nothing inherited: the default applies
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        using var server = ChildProcess.Start(file, [.. arguments, .. doors], _elsewhere, environment);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (server.StdoutLines.FirstOrDefault(l => l.Contains("SQLite storage ready at ", StringComparison.Ordinal)) is { } line)
                return line;
            if (DateTime.UtcNow > deadline || server.HasExited)
                throw new TimeoutException($"The server never said where its database is.\n{server.Stdout}\n{server.Stderr}");
            await Task.Delay(100);
        }
    }

    /// <summary>Debug or Release: the configuration this test project (and so McpApi beside it) was built in.</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
}
