using McpApi.Doors.Mcp;

namespace McpApi.Hosting;

public static class McpApiHost
{
    /// <summary>
    /// appsettings.json sits at the repository root and is copied beside the built app. Use the working
    /// directory when it holds one (repository root, Docker WORKDIR), else the app's own folder.
    /// </summary>
    public static WebApplicationOptions CreateOptions(string[] args) => new()
    {
        Args = McpStdio.TranslateArguments(args),
        ContentRootPath = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"))
            ? null
            : AppContext.BaseDirectory,
    };
}
