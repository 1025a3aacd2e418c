using System.Reflection;
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
            foreach (var tool in ConformanceFixtures.Tools().Concat(Tools<InputRequiredFixtures>()).Concat(Tools<PerRequestDiagnosticFixtures>()))
                tools.TryAdd(tool);
            foreach (var resource in ConformanceFixtures.Resources())
                resources.TryAdd(resource);
            foreach (var prompt in ConformanceFixtures.Prompts().Concat(Prompts<InputRequiredPromptFixtures>()))
                prompts.TryAdd(prompt);
            ConformanceFixtures.AddHandlers(options);
        }
    
        /// <summary>The fixture class's static methods marked <c>[McpServerTool]</c>, as tools.</summary>
        private static IEnumerable<McpServerTool> Tools<T>() =>
            typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
                .Select(m => McpServerTool.Create(m));

        /// <summary>The fixture class's static methods marked <c>[McpServerPrompt]</c>, as prompts.</summary>
        private static IEnumerable<McpServerPrompt> Prompts<T>() =>
            typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.GetCustomAttribute<McpServerPromptAttribute>() is not null)
                .Select(m => McpServerPrompt.Create(m));
    }
}
