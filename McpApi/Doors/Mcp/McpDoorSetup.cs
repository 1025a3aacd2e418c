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

    private const string ServerInstructions =
        "Each tool named model_action runs one action of an McpApi model (echo, notes, chat, state, move). " +
        "Pass 'data' as the action's schema describes and 'context' (who or where) as a string or object. " +
        "Results are {status, message, data}; on errors the message says what to fix.";

    /// <summary>The in-memory event store's size for resumable streams (<see cref="McpDoorOptions.EnableResumability"/>).</summary>
    public const long EventStoreBytes = 64 * 1024 * 1024;

    public static WebApplicationBuilder AddMcpDoor(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpDoorOptions>().BindConfiguration(McpDoorOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpDoorOptions>, McpDoorOptionsValidator>());
        services.AddOptions<AllowedHostsOptions>().Bind(builder.Configuration);
        services.PostConfigure<HostFilteringOptions>(AllowedHostsOptions.DisableFrameworkFilter);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, McpEndpointSelector>());

        // Without a session the SDK configures new options for every request: what goes into them is made once, here.
        var serverInfo = new Implementation
        {
            Name = "McpApi",
            Title = "McpApi message server",
            Version = typeof(McpDoorSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0",
        };
        var mcp = services
            .AddMcpServer(options =>
            {
                options.ServerInfo = serverInfo;
                options.ServerInstructions = ServerInstructions;
            })
            .WithHttpTransport();
        services.TryAddSingleton<McpSessionLimits>();
        services.TryAddSingleton<McpSessions>();
        services.AddOptions<HttpServerTransportOptions>().Configure<IOptions<McpDoorOptions>, McpSessionLimits, McpSessions>((transport, door, limits, sessions) =>
        {
            transport.SessionMode = door.Value.SessionMode;
            transport.IdleTimeout = door.Value.IdleTimeout;
            limits.Configure(transport);
            sessions.Track(transport);
        });
        McpSessionMigration.AddTo(services);
        services.TryAddSingleton<McpCancelledRequests>();
        mcp.WithMessageFilters(filters => filters.AddIncomingFilter(McpParamsCheck.Filter).AddOutgoingFilter(McpResourceSubscriptions.StaticResourceList));
        services.AddOptions<McpServerOptions>().Configure<McpCancelledRequests>((options, cancelled) =>
            (options.Filters.Message.IncomingFilters ??= []).Add(cancelled.Filter));
        services.TryAddSingleton<McpResourceSubscriptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, McpResourceSubscriptions>(
            sp => sp.GetRequiredService<McpResourceSubscriptions>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, McpCompletions>());
        services.TryAddSingleton<McpPrimitiveSet>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, McpPrimitives>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<McpServerOptions>, McpCallerListings>());

        var settings = builder.Configuration.GetSection(McpDoorOptions.Section).Get<McpDoorOptions>() ?? new McpDoorOptions();
        if (settings.EnableResumability)
        {
            // Bounded: the oldest events are dropped first when the store is full (a stream then cannot resume that far back).
            services.AddDistributedMemoryCache(cache => cache.SizeLimit = EventStoreBytes);
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
                if (endpoint.RequestDelegate is { } sdk)
                    endpoint.RequestDelegate = new McpPostPass(sdk).InvokeAsync;
            }
            else if (endpoint.RequestDelegate is { } other)
            {
                // A session started on another replica, or ended on one, is looked up in shared storage first.
                var handler = McpSessionMigration.Around(McpHttpChecks.Around(other)); // GET and DELETE
                endpoint.RequestDelegate = Hosting.CurrentRequest.Around(McpAuthenticationGate.Around(RelaxedJsonResponses.Around(handler)));
            }
        });
        return endpoints;
    }
}

/// <summary>
/// Gives the MCP server the generated tools and the seed's names. Without a session (stateless mode, 2026-07-28
/// clients) the SDK builds fresh options for every request, so the tools, their schemas, the resources and the
/// prompts are built once (<see cref="McpPrimitiveSet"/>) and every options instance gets the same collections, as
/// sessions already share the one options instance the SDK keeps for them. Options that already hold primitives
/// (a host that registers its own) get ours added to theirs instead.
/// </summary>
internal sealed class McpPrimitives(McpPrimitiveSet primitives) : IConfigureOptions<McpServerOptions>
{
    public void Configure(McpServerOptions options)
    {
        options.ToolCollection = AddTo(options.ToolCollection, primitives.ToolCollection);
        options.ResourceCollection = (McpServerResourceCollection)AddTo(options.ResourceCollection, primitives.ResourceCollection);
        options.PromptCollection = AddTo(options.PromptCollection, primitives.PromptCollection);
    }

    private static McpServerPrimitiveCollection<TPrimitive> AddTo<TPrimitive>(
        McpServerPrimitiveCollection<TPrimitive>? existing, McpServerPrimitiveCollection<TPrimitive> ours)
        where TPrimitive : IMcpServerPrimitive
    {
        if (existing is null || ReferenceEquals(existing, ours))
            return ours;
        foreach (var primitive in ours)
            existing.Add(primitive);
        return existing;
    }
}

/// <summary>The MCP door's tools, resources and prompts, built once per process; they hold no per-request state.</summary>
internal sealed class McpPrimitiveSet
{
    private readonly Lazy<McpCallers> _callers;
    private readonly Lazy<McpServerPrimitiveCollection<McpServerTool>> _tools;
    private readonly Lazy<McpServerResourceCollection> _resources;
    private readonly Lazy<McpServerPrimitiveCollection<McpServerPrompt>> _prompts;
    private readonly Lazy<Dictionary<string, RegisteredAction>> _toolActions;

    public McpPrimitiveSet(ModelRegistry registry, Dispatcher dispatcher, IOptions<McpDoorOptions> door, IOptions<AuthOptions> auth)
    {
        _callers = new(() => McpCallers.For(door.Value, auth.Value));
        _tools = new(() => [.. ModelTools.From(registry, dispatcher, Callers), .. SeedCompatibility.Tools(dispatcher, Callers)]);
        _resources = new(() => [.. SeedCompatibility.Resources(dispatcher, Callers)]);
        _prompts = new(() => [.. SeedCompatibility.Prompts(dispatcher, Callers)]);
        _toolActions = new(() => ToolActions(registry));
        _resourceReads = new(() => Reads(ResourceCollection.Select(r => (r.ProtocolResourceTemplate.Name, r.Metadata))));
        _promptReads = new(() => Reads(PromptCollection.Select(p => (p.ProtocolPrompt.Name, p.Metadata))));
    }

    private readonly Lazy<Dictionary<string, ReadsAction>> _resourceReads;
    private readonly Lazy<Dictionary<string, ReadsAction>> _promptReads;

    /// <summary>Whether the caller may read the resource or template named <paramref name="name"/> (one without a model action: yes).</summary>
    public bool MayReadResource(CallerIdentity identity, string name) =>
        !_resourceReads.Value.TryGetValue(name, out var reads) || reads.AllowedFor(identity);

    /// <summary>Whether the caller may get the prompt named <paramref name="name"/> (one without a model action: yes).</summary>
    public bool MayGetPrompt(CallerIdentity identity, string name) =>
        !_promptReads.Value.TryGetValue(name, out var reads) || reads.AllowedFor(identity);

    /// <summary>The model action the resource or template matching <paramref name="uri"/> reads, or null when none does.</summary>
    public ReadsAction? ResourceReads(string uri) =>
        ResourceCollection.FirstOrDefault(r => r.IsMatch(uri)) is { } resource ? _resourceReads.Value.GetValueOrDefault(resource.ProtocolResourceTemplate.Name) : null;

    private static Dictionary<string, ReadsAction> Reads(IEnumerable<(string Name, IReadOnlyList<object> Metadata)> primitives) =>
        primitives.Select(p => (p.Name, Reads: p.Metadata.OfType<ReadsAction>().FirstOrDefault()))
            .Where(p => p.Reads is not null)
            .ToDictionary(p => p.Name, p => p.Reads!, StringComparer.Ordinal);

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

    public McpServerPrimitiveCollection<McpServerTool> ToolCollection => _tools.Value;

    public McpServerResourceCollection ResourceCollection => _resources.Value;

    public McpServerPrimitiveCollection<McpServerPrompt> PromptCollection => _prompts.Value;
}
