using System.ComponentModel;
using System.Text.Json;
using McpApi.Dispatching;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// The seed sticky-notes server's MCP names, so an existing client configuration keeps working, plus state entries
/// and chat rooms as resources. Each is a thin mapping onto a model action through the dispatcher.
/// </summary>
internal static class SeedCompatibility
{
    /// <summary>The seed's tool names and the model actions they run.</summary>
    public static readonly (string Tool, string Model, string Action)[] ToolActions = [("add_note", "notes", "add"), ("read_notes", "notes", "list")];

    /// <summary>
    /// <c>add_note</c> and <c>read_notes</c>, kept beside <c>notes_add</c>/<c>notes_list</c> on purpose: configurations and
    /// prompts written for the seed server name them, and each says which generated tool it equals. Their output schemas are
    /// those of the actions they map to; <c>read_notes</c> pages like <c>notes_list</c> so every note can be reached.
    /// </summary>
    public static IEnumerable<McpServerTool> Tools(Dispatcher dispatcher, McpCallers callers)
    {
        var add = Action(dispatcher, "notes", "add");
        var list = Action(dispatcher, "notes", "list");
        var addNote = new SeedTool(new Tool
        {
            Name = "add_note",
            Title = "Add a note",
            Description = "Adds a sticky note to the default notebook (same as notes_add). Returns {id, notebook, text, createdAt}.",
            InputSchema = JsonElement.Parse("""
                {
                  "type": "object",
                  "properties": { "message": { "type": "string", "minLength": 1, "description": "The note's text." } },
                  "required": ["message"],
                  "additionalProperties": false
                }
                """),
            OutputSchema = ToolSchemas.Output(add),
            Annotations = new ToolAnnotations
            {
                Title = "Add a note", ReadOnlyHint = false, DestructiveHint = false, IdempotentHint = false, OpenWorldHint = false,
            },
        }, async (request, arguments, cancellationToken) =>
        {
            if (!arguments.TryGetValue("message", out var message) || message.ValueKind != JsonValueKind.String)
                return McpDispatch.ToolError(RequestError.Invalid("message",
                    "is required: the note's text as a string, e.g. {\"message\": \"Buy milk\"}."));
            return McpDispatch.ToToolResult(await McpDispatch.SendAsync(dispatcher, callers.Caller(request.User), "notes", "add", null, message, cancellationToken), "notes");
        });

        var readNotes = new SeedTool(new Tool
        {
            Name = "read_notes",
            Title = "Read notes",
            Description = "Lists the notes of the default notebook, oldest first, a page at a time (same as notes_list): "
                + "pass the answer's nextAfter back as 'after' for the next page; nextAfter is null on the last page. "
                + "Returns {notebook, notes: [{id, text, createdAt}], nextAfter}.",
            InputSchema = ToolSchemas.PageArguments(list),
            OutputSchema = ToolSchemas.Output(list),
            Annotations = new ToolAnnotations
            {
                Title = "Read notes", ReadOnlyHint = true, DestructiveHint = false, IdempotentHint = true, OpenWorldHint = false,
            },
        }, async (request, arguments, cancellationToken) =>
        {
            var page = new System.Text.Json.Nodes.JsonObject();
            foreach (var (name, value) in arguments)
            {
                if (name is not ("after" or "limit"))
                    return McpDispatch.ToolError(RequestError.Invalid(name, "is not an argument of read_notes; it takes 'after' and 'limit'."));
                page[name] = System.Text.Json.Nodes.JsonNode.Parse(value.GetRawText());
            }
            return McpDispatch.ToToolResult(
                await McpDispatch.SendAsync(dispatcher, callers.Caller(request.User), "notes", "list", null, McpDispatch.Json(page), cancellationToken), "notes");
        });
        return [addNote, readNotes];
    }

    private static RegisteredAction Action(Dispatcher dispatcher, string model, string action) =>
        dispatcher.Registry.TryGet(model, out var found) && found.TryGetAction(action, out var registered)
            ? registered
            : throw new InvalidOperationException($"The seed's MCP names need the action {model}.{action}, which is not registered.");

    public static IEnumerable<McpServerResource> Resources(Dispatcher dispatcher, McpCallers callers) =>
    [
        McpServerResource.Create(
            (RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
                ReadAsync(dispatcher, callers, request, "notes", "latest", null, EmptyObject, cancellationToken),
            new McpServerResourceCreateOptions
            {
                UriTemplate = "notes://latest",
                Metadata = [new ReadsAction(Action(dispatcher, "notes", "latest"), "default")],
                Name = "latest_note",
                Title = "Latest note",
                Description = "The most recent note of the default notebook (JSON; null when there is none).",
                MimeType = "application/json",
            }),
        McpServerResource.Create(
            (string notebook, RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
                ReadAsync(dispatcher, callers, request, "notes", "latest", McpDispatch.Json(new { notebook }), EmptyObject, cancellationToken),
            new McpServerResourceCreateOptions
            {
                UriTemplate = "notes://{notebook}/latest",
                Metadata = [new ReadsAction(Action(dispatcher, "notes", "latest"))],
                Name = "notebook_latest_note",
                Title = "Latest note of a notebook",
                Description = "The most recent note of one notebook (JSON; null when there is none).",
                MimeType = "application/json",
            }),
        McpServerResource.Create(
            (string @namespace, string key, RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
                ReadAsync(dispatcher, callers, request, "state", "get", McpDispatch.Json(new { @namespace }), McpDispatch.Json(new { key }), cancellationToken),
            new McpServerResourceCreateOptions
            {
                UriTemplate = "state://{namespace}/{key}",
                Metadata = [new ReadsAction(Action(dispatcher, "state", "get"))],
                Name = "state_entry",
                Title = "State entry",
                Description = "One key of a state namespace: {key, value, version, updatedAt}.",
                MimeType = "application/json",
            }),
        McpServerResource.Create(
            (RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
                ReadAsync(dispatcher, callers, request, "chat", "rooms", null, EmptyObject, cancellationToken),
            new McpServerResourceCreateOptions
            {
                UriTemplate = "chat://rooms",
                Metadata = [new ReadsAction(Action(dispatcher, "chat", "rooms"))],
                Name = "chat_rooms",
                Title = "Chat rooms",
                Description = "Every chat room with its message count and last activity: {rooms: [{room, messages, lastActivity}]}.",
                MimeType = "application/json",
            }),
        McpServerResource.Create(
            (string room, RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
                ReadAsync(dispatcher, callers, request, "chat", "history", McpDispatch.Json(new { room }), EmptyObject, cancellationToken),
            new McpServerResourceCreateOptions
            {
                UriTemplate = "chat://{room}/history",
                Metadata = [new ReadsAction(Action(dispatcher, "chat", "history"))],
                Name = "chat_room_history",
                Title = "Chat room history",
                Description = "The recent messages of one chat room: {room, messages: [...]}.",
                MimeType = "application/json",
            }),
    ];

    public static IEnumerable<McpServerPrompt> Prompts(Dispatcher dispatcher, McpCallers callers) =>
    [
        McpServerPrompt.Create(
            async (RequestContext<GetPromptRequestParams> request, [Description("The notebook to summarize (default: the default notebook).")] string? notebook = null,
                CancellationToken cancellationToken = default) =>
            {
                var context = notebook is null ? (JsonElement?)null : McpDispatch.Json(new { notebook });
                var data = McpDispatch.DataOrThrow(
                    await McpDispatch.SendAsync(dispatcher, callers.Caller(request.User), "notes", "summary_prompt", context, EmptyObject, cancellationToken));
                return new GetPromptResult
                {
                    Description = $"Summarize the {data.GetProperty("count")} notes of notebook '{data.GetProperty("notebook").GetString()}'.",
                    Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = data.GetProperty("prompt").GetString() ?? "" } }],
                };
            },
            new McpServerPromptCreateOptions
            {
                Name = "note_summary_prompt",
                Metadata = [new ReadsAction(Action(dispatcher, "notes", "summary_prompt"))],
                Title = "Summarize the notes",
                Description = "A prompt asking the model to summarize the current notes (same as notes_summary_prompt).",
            }),
    ];

    private static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    private static async Task<TextResourceContents> ReadAsync(
        Dispatcher dispatcher, McpCallers callers, RequestContext<ReadResourceRequestParams> request,
        string model, string action, JsonElement? context, JsonElement? data, CancellationToken cancellationToken)
    {
        var result = McpDispatch.DataOrThrow(await McpDispatch.SendAsync(dispatcher, callers.Caller(request.User), model, action, context, data, cancellationToken));
        return new TextResourceContents
        {
            Uri = request.Params?.Uri ?? "",
            MimeType = "application/json",
            Text = result.GetRawText(),
        };
    }
}

/// <summary>A seed tool with its own schemas; its arguments are checked by its code, so a missing one is named.</summary>
internal sealed class SeedTool(Tool tool, Func<RequestContext<CallToolRequestParams>, IReadOnlyDictionary<string, JsonElement>, CancellationToken, ValueTask<CallToolResult>> invoke)
    : McpServerTool
{
    public override Tool ProtocolTool { get; } = tool;

    public override IReadOnlyList<object> Metadata { get; } = [];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) =>
        invoke(request, request.Params?.Arguments is { } arguments ? new Dictionary<string, JsonElement>(arguments) : [], cancellationToken);
}
