// Stateful sessions are what today's clients (2025-11-25 and earlier) need for server-to-client features;
// the SDK marks the session settings obsolete only to steer new code towards the 2026-07-28 stateless revision.
#pragma warning disable MCP9006

using System.Reflection;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Metrics;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// The Model Context Protocol door, built on the official SDK: Streamable HTTP on <c>/mcp</c> (beside the envelope,
/// chosen per request by <see cref="McpEndpointSelector"/>) or stdio, with tools generated from the model registry.
/// </summary>
public static class McpDoorSetup
{
    public const string Path = "/mcp";

    public static WebApplicationBuilder AddMcpDoor(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpDoorOptions>().BindConfiguration(McpDoorOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpDoorOptions>, McpDoorOptionsValidator>());
        services.AddOptions<AllowedHostsOptions>().Bind(builder.Configuration);
        services.PostConfigure<HostFilteringOptions>(AllowedHostsOptions.DisableFrameworkFilter);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, McpEndpointSelector>());

        var mcp = services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation
                {
                    Name = "McpApi",
                    Title = "McpApi message server",
                    Version = typeof(McpDoorSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0",
                };
                options.ServerInstructions =
                    "Each tool named model_action runs one action of an McpApi model (echo, notes, chat, state, move). " +
                    "Pass 'data' as the action's schema describes and 'context' (who or where) as a string or object. " +
                    "Results are {status, message, data}; on errors the message says what to fix.";
            })
            .WithHttpTransport();
        services.TryAddSingleton<McpSessionLimits>();
        services.AddOptions<HttpServerTransportOptions>().Configure<IOptions<McpDoorOptions>, McpSessionLimits>((transport, door, limits) =>
        {
            transport.SessionMode = door.Value.SessionMode;
            transport.IdleTimeout = door.Value.IdleTimeout;
            limits.Configure(transport);
        });
        services.TryAddSingleton<McpPrimitiveSet>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, McpPrimitives>());

        var settings = builder.Configuration.GetSection(McpDoorOptions.Section).Get<McpDoorOptions>() ?? new McpDoorOptions();
        if (settings.EnableResumability)
        {
            services.AddDistributedMemoryCache();
            mcp.WithDistributedCacheEventStreamStore();
        }
        if (settings.Stdio)
        {
            McpStdio.Configure(builder, mcp);
        }
        return builder;
    }

    /// <summary>Host and Origin checks (DNS-rebinding protection) for every request.</summary>
    public static IApplicationBuilder UseMcpDoorSecurity(this IApplicationBuilder app) => app.UseMiddleware<OriginPolicy>();

    /// <summary>
    /// The SDK's endpoints on <c>/mcp</c>: POST (JSON-RPC), GET (server-to-client stream), DELETE (end session).
    /// POST takes the same content types as the envelope, so a wrong one gets the envelope's 415, the same
    /// <c>McpApi:MaxRequestBytes</c> limit (413 with a JSON-RPC error), and passes <see cref="McpSessionLimits"/> before a
    /// new session starts. Answers are written with relaxed JSON escaping (<c>\"</c>, not <c>\u0022</c>) so tool results
    /// and resources read as plain JSON.
    /// </summary>
    public static IEndpointConventionBuilder MapMcpDoor(this IEndpointRouteBuilder routes)
    {
        var endpoints = routes.MapMcp(Path);
        endpoints.WithMetadata(new McpEndpointMetadata());
        endpoints.ExcludeFromDescription();
        endpoints.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().Any(m => m.HttpMethods.Contains(HttpMethods.Post)))
            {
                endpoint.Metadata.Add(new AcceptsMetadata(["application/json"]));
                // A POST without a session may start one: the session limits go first, then the size limit.
                if (endpoint.RequestDelegate is { } sdk)
                {
                    var limited = McpRequestLimit.Around(sdk);
                    endpoint.RequestDelegate = http => http.RequestServices.GetRequiredService<McpSessionLimits>().GuardAsync(http, limited);
                }
            }
            if (endpoint.RequestDelegate is { } handler)
                endpoint.RequestDelegate = McpAuthenticationGate.Around(RelaxedJsonResponses.Around(handler));
        });
        return endpoints;
    }
}

/// <summary>
/// Adds the generated tools and the seed's names to the MCP server. Without a session (stateless mode, 2026-07-28
/// clients) the SDK builds fresh options for every request, so the tools, their schemas, the resources and the
/// prompts are built once (<see cref="McpPrimitiveSet"/>) and only added to each new collection.
/// </summary>
internal sealed class McpPrimitives(McpPrimitiveSet primitives) : IConfigureOptions<McpServerOptions>
{
    public void Configure(McpServerOptions options)
    {
        var tools = options.ToolCollection ??= [];
        var resources = options.ResourceCollection ??= [];
        var prompts = options.PromptCollection ??= [];

        foreach (var tool in primitives.Tools)
            tools.Add(tool);
        foreach (var resource in primitives.Resources)
            resources.Add(resource);
        foreach (var prompt in primitives.Prompts)
            prompts.Add(prompt);

        // tools/list shows only the tools the caller's scopes allow; calling another is refused by the dispatcher anyway.
        options.Filters.Request.ListToolsFilters.Add(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (primitives.Callers.Caller(request.User).Identity is { } identity)
                result.Tools = [.. result.Tools.Where(tool => primitives.MayCall(identity, tool.Name))];
            return result;
        });
    }
}

/// <summary>The MCP door's tools, resources and prompts, built once per process; they hold no per-request state.</summary>
internal sealed class McpPrimitiveSet
{
    private readonly Lazy<McpCallers> _callers;
    private readonly Lazy<IReadOnlyList<McpServerTool>> _tools;
    private readonly Lazy<IReadOnlyList<McpServerResource>> _resources;
    private readonly Lazy<IReadOnlyList<McpServerPrompt>> _prompts;
    private readonly Lazy<Dictionary<string, RegisteredAction>> _toolActions;

    public McpPrimitiveSet(ModelRegistry registry, Dispatcher dispatcher, IOptions<McpDoorOptions> door, IOptions<AuthOptions> auth)
    {
        _callers = new(() => McpCallers.For(door.Value, auth.Value));
        _tools = new(() => [.. ModelTools.From(registry, dispatcher, Callers), .. SeedCompatibility.Tools(dispatcher, Callers)]);
        _resources = new(() => [.. SeedCompatibility.Resources(dispatcher, Callers)]);
        _prompts = new(() => [.. SeedCompatibility.Prompts(dispatcher, Callers)]);
        _toolActions = new(() => ToolActions(registry));
    }

    public McpCallers Callers => _callers.Value;

    /// <summary>Whether the caller may call the tool: its action is one the caller's scopes allow somewhere (anonymous: every tool).</summary>
    public bool MayCall(CallerIdentity? identity, string tool) =>
        identity is null || !_toolActions.Value.TryGetValue(tool, out var action) || Access.MayCall(identity, action);

    /// <summary>Each tool's model action: the generated <c>model_action</c> tools and the seed's names.</summary>
    private static Dictionary<string, RegisteredAction> ToolActions(ModelRegistry registry)
    {
        var actions = registry.Models.SelectMany(m => m.Actions).ToDictionary(ModelTools.ToolName, StringComparer.Ordinal);
        foreach (var (tool, model, action) in SeedCompatibility.ToolActions)
        {
            if (registry.TryGet(model, out var found) && found.TryGetAction(action, out var registered))
                actions[tool] = registered;
        }
        return actions;
    }

    public IReadOnlyList<McpServerTool> Tools => _tools.Value;

    public IReadOnlyList<McpServerResource> Resources => _resources.Value;

    public IReadOnlyList<McpServerPrompt> Prompts => _prompts.Value;
}
