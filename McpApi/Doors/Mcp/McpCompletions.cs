using System.Text.Json;
using McpApi.Dispatching;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// <c>completion/complete</c> for the resource templates and the prompt argument, from the data through the dispatcher:
/// <c>{room}</c> from <c>chat.rooms</c>, <c>{key}</c> from <c>state.list</c> (in the namespace already chosen, else
/// <c>default</c>). <c>{notebook}</c> and <c>{namespace}</c> offer <c>default</c> only: no model action lists notebooks
/// or namespaces yet. Values start with what the user typed, at most 100.
/// </summary>
internal sealed class McpCompletions(Dispatcher dispatcher, IOptions<McpDoorOptions> door) : IConfigureOptions<McpServerOptions>
{
    private const int MaxValues = 100;

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
            var values = argument?.Name switch
            {
                "room" => await RoomsAsync(cancellationToken),
                "key" => await KeysAsync(namespaceChosen ?? "default", typed, cancellationToken),
                "notebook" or "namespace" => ["default"],
                _ => [],
            };
            var matching = values.Where(v => v.StartsWith(typed, StringComparison.Ordinal)).Distinct().ToList();
            return new CompleteResult
            {
                Completion = new Completion { Values = [.. matching.Take(MaxValues)], Total = matching.Count, HasMore = matching.Count > MaxValues },
            };
        };
    }

    private async Task<IReadOnlyList<string>> RoomsAsync(CancellationToken cancellationToken)
    {
        var result = await McpDispatch.SendAsync(dispatcher, McpDispatch.DoorFor(door.Value), "chat", "rooms", null, McpDispatch.Json(new { }), cancellationToken);
        if (!result.IsSuccess)
            return [];
        var data = McpDispatch.DataOrThrow(result);
        return [.. data.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()!)];
    }

    private async Task<IReadOnlyList<string>> KeysAsync(string @namespace, string prefix, CancellationToken cancellationToken)
    {
        var result = await McpDispatch.SendAsync(dispatcher, McpDispatch.DoorFor(door.Value), "state", "list",
            McpDispatch.Json(new { @namespace }), McpDispatch.Json(new { prefix, limit = MaxValues }), cancellationToken);
        if (!result.IsSuccess)
            return [];
        var data = McpDispatch.DataOrThrow(result);
        return [.. data.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()!)];
    }
}
