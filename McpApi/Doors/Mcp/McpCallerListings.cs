using McpApi.Auth;
using McpApi.Dispatching;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// The model action an MCP resource or prompt reads, kept in its metadata: listings show it only to callers whose scopes
/// allow that action (on <paramref name="ContextScope"/> when the resource always reads one place, e.g.
/// <c>notes://latest</c> reads notebook <c>default</c>). Reading it is checked by the dispatcher like any call.
/// </summary>
internal sealed record ReadsAction(RegisteredAction Action, string? ContextScope = null)
{
    public bool AllowedFor(CallerIdentity identity) => ContextScope is null
        ? Access.MayCall(identity, Action)
        : identity.Scopes.Allows(Action.Model, Action.Name, Action.Action.ReadOnly, ContextScope);
}

/// <summary>
/// <c>tools/list</c>, <c>resources/list</c>, <c>resources/templates/list</c> and <c>prompts/list</c> show an
/// authenticated caller only what its scopes allow (anonymous callers, with authentication off, see everything);
/// calling anything else is refused by the dispatcher anyway.
/// </summary>
internal sealed class McpCallerListings(McpPrimitiveSet primitives) : IConfigureOptions<McpServerOptions>
{
    public void Configure(McpServerOptions options)
    {
        var filters = options.Filters.Request;
        filters.ListToolsFilters.Add(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (Identity(request.User) is { } identity)
                result.Tools = [.. result.Tools.Where(tool => primitives.MayCall(identity, tool.Name))];
            return result;
        });
        filters.ListResourcesFilters.Add(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (Identity(request.User) is { } identity)
                result.Resources = [.. result.Resources.Where(resource => primitives.MayReadResource(identity, resource.Name))];
            return result;
        });
        filters.ListResourceTemplatesFilters.Add(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (Identity(request.User) is { } identity)
                result.ResourceTemplates = [.. result.ResourceTemplates.Where(template => primitives.MayReadResource(identity, template.Name))];
            return result;
        });
        filters.ListPromptsFilters.Add(next => async (request, cancellationToken) =>
        {
            var result = await next(request, cancellationToken);
            if (Identity(request.User) is { } identity)
                result.Prompts = [.. result.Prompts.Where(prompt => primitives.MayGetPrompt(identity, prompt.Name))];
            return result;
        });
    }

    private CallerIdentity? Identity(System.Security.Claims.ClaimsPrincipal? user) => primitives.Callers.Caller(user).Identity;
}
