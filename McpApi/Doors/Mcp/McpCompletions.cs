using McpApi.Dispatching;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// <c>completion/complete</c> for the resource templates and the prompt argument, from the data through the dispatcher:
/// <c>{room}</c> from <c>chat.rooms</c>, <c>{notebook}</c> from <c>notes.notebooks</c>, <c>{namespace}</c> from
/// <c>state.namespaces</c>, <c>{key}</c> from <c>state.list</c> (in the namespace already chosen, else <c>default</c>).
/// An authenticated caller gets only the names it may read; one whose scopes name places (<c>notes:*:work</c>) rather
/// than the whole model, and so may not list them all, gets those places. Values start with what the user typed, at most 100.
/// </summary>
internal sealed class McpCompletions(Dispatcher dispatcher, McpPrimitiveSet primitives) : IConfigureOptions<McpServerOptions>
{
    private const int MaxValues = 100;

    /// <summary>Each completable name: the action that lists it, the list's property and item name, and the action reading one.</summary>
    private sealed record NameList(string Model, string ListAction, string Items, string Item, string ReadAction);

    private static readonly Dictionary<string, NameList> Lists = new(StringComparer.Ordinal)
    {
        ["room"] = new("chat", "rooms", "rooms", "room", "history"),
        ["notebook"] = new("notes", "notebooks", "notebooks", "notebook", "latest"),
        ["namespace"] = new("state", "namespaces", "namespaces", "namespace", "get"),
    };

    public void Configure(McpServerOptions options)
    {
        if (options.Handlers.CompleteHandler is not null)
            return; // a host with its own (the conformance test host's fixtures)
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Completions ??= new CompletionsCapability();
        options.Handlers.CompleteHandler = async (request, cancellationToken) =>
        {
            var argument = request.Params?.Argument;
            var typed = argument?.Value ?? "";
            string? namespaceChosen = null;
            request.Params?.Context?.Arguments?.TryGetValue("namespace", out namespaceChosen);
            var caller = primitives.Callers.Caller(request.User);
            var values = argument?.Name switch
            {
                "key" => await KeysAsync(caller, namespaceChosen ?? "default", typed, cancellationToken),
                { } name when Lists.TryGetValue(name, out var list) => await NamesAsync(caller, list, cancellationToken),
                _ => [],
            };
            var matching = values.Where(v => v.StartsWith(typed, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList();
            return new CompleteResult
            {
                Completion = new Completion { Values = [.. matching.Take(MaxValues)], Total = matching.Count, HasMore = matching.Count > MaxValues },
            };
        };
    }

    private async Task<IEnumerable<string>> NamesAsync(CallContext caller, NameList list, CancellationToken cancellationToken)
    {
        var scopes = caller.Identity?.Scopes;
        var result = await McpDispatch.SendAsync(dispatcher, caller, list.Model, list.ListAction, null, McpDispatch.Json(new { }), cancellationToken);
        if (!result.IsSuccess)
            return scopes?.NamedContextScopes(list.Model, list.ReadAction, readOnly: true) ?? [];
        var names = McpDispatch.DataOrThrow(result).GetProperty(list.Items).EnumerateArray().Select(item => item.GetProperty(list.Item).GetString()!);
        return scopes is null ? names : names.Where(name => scopes.Allows(list.Model, list.ReadAction, readOnly: true, name));
    }

    private async Task<IReadOnlyList<string>> KeysAsync(CallContext caller, string @namespace, string prefix, CancellationToken cancellationToken)
    {
        var result = await McpDispatch.SendAsync(dispatcher, caller, "state", "list",
            McpDispatch.Json(new { @namespace }), McpDispatch.Json(new { prefix, limit = MaxValues }), cancellationToken);
        if (!result.IsSuccess)
            return [];
        var data = McpDispatch.DataOrThrow(result);
        return [.. data.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()!)];
    }
}
