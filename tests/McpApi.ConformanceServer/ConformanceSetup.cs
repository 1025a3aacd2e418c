using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpApi.ConformanceServer;

public static class ConformanceSetup
{
    /// <summary>Adds the conformance fixtures (tools, resources, prompts, handlers) to the MCP server <c>AddMcpApi()</c> registered.</summary>
    public static WebApplicationBuilder AddConformanceFixtures(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConfigureOptions<McpServerOptions>, ConformancePrimitives>();
        return builder;
    }

    /// <summary>
    /// McpApi hands every options instance the same collections (built once), so the fixtures are added only where
    /// they are not there yet.
    /// </summary>
    private sealed class ConformancePrimitives : IConfigureOptions<McpServerOptions>
    {
        public void Configure(McpServerOptions options)
        {
            var tools = options.ToolCollection ??= [];
            var resources = options.ResourceCollection ??= [];
            var prompts = options.PromptCollection ??= [];
            foreach (var tool in ConformanceFixtures.Tools())
                tools.TryAdd(tool);
            foreach (var resource in ConformanceFixtures.Resources())
                resources.TryAdd(resource);
            foreach (var prompt in ConformanceFixtures.Prompts())
                prompts.TryAdd(prompt);
            ConformanceFixtures.AddHandlers(options);
        }
    }
}
