using McpApi.Doors.Mcp;

namespace McpApi.Hosting;

public static class McpApiHost
{
    /// <summary>
    /// The content root — where appsettings.json is read and a relative database path (default <c>data/mcpapi.db</c>)
    /// lands — never depends on the folder the server is started from: it is the app's own folder (a published app,
    /// the Docker image's /app), or the repository root when the app runs from its build output in a checkout
    /// (<c>dotnet run --project McpApi</c>), where appsettings.json lives.
    /// </summary>
    public static WebApplicationOptions CreateOptions(string[] args) => new()
    {
        Args = McpStdio.TranslateArguments(args),
        ContentRootPath = ContentRoot(AppContext.BaseDirectory),
    };

    /// <summary>The repository root for a build output such as <c>repo/McpApi/bin/Debug/net10.0/</c>, else <paramref name="appFolder"/>.</summary>
    internal static string ContentRoot(string appFolder)
    {
        for (var dir = new DirectoryInfo(appFolder); dir?.Parent is { } parent; dir = parent)
        {
            if (dir.Name == "bin" && File.Exists(Path.Combine(parent.FullName, "McpApi.csproj"))
                && parent.Parent is { } repository && File.Exists(Path.Combine(repository.FullName, "appsettings.json")))
                return repository.FullName;
        }
        return appFolder;
    }
}
