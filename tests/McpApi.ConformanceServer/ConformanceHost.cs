using McpApi.Hosting;

namespace McpApi.ConformanceServer;

/// <summary>
/// The real app (<c>AddMcpApi</c>, <c>UseMcpApi</c>, <c>MapMcpApi</c>) with the conformance fixtures added, for the official
/// MCP conformance suite and the MCP benchmark. A named class rather than top-level statements, so the test project, which
/// references this host and McpApi, sees only McpApi's <c>Program</c>.
/// </summary>
public static class ConformanceHost
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(McpApiHost.CreateOptions(args));
        builder.Configuration.AddInMemoryCollection([new("Mcp:EnableResumability", "true")]); // the suite resumes SSE streams
        builder.AddMcpApi();
        builder.AddConformanceFixtures();

        var app = builder.Build();
        app.UseMcpApi();
        app.MapMcpApi();
        app.Run();
    }
}
