using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Dispatching;
using McpApi.Events;
using McpApi.Storage;
using Microsoft.Extensions.Options;

namespace McpApi.Models.Chat;

/// <summary>
/// Chat rooms with history. Context: the sender as a string (room <c>lobby</c>) or <c>{"user": ..., "room": ...}</c>.
/// </summary>
public sealed class ChatModel : IModelHandler
{
    private readonly IChatStore _store;
    private readonly IEventPublisher _events;
    private readonly ChatOptions _options;

    public ChatModel(IChatStore store, IEventPublisher events, IOptions<ChatOptions> options)
    {
        _store = store;
        _events = events;
        _options = options.Value;
        Actions =
        [
            new("send", $"Sends a message (a string or {{\"text\": ...}}, at most Chat:MaxTextLength = {_options.MaxTextLength} characters) to the context's room and returns it with its id.",
                """
                {"oneOf":[
                  {"type":"string","description":"The message text."},
                  {"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}]}
                """, SendAsync)
            {
                ExampleContext = new JsonObject { ["user"] = "ana", ["room"] = "lobby" },
                ExampleData = "Hello, world!",
            },
            new("history", $"Returns a room's messages, oldest first: the latest {ModelInput.DefaultPageSize} (limit), those before an id, or those after an id.",
                $$$"""
                {"type":["object","null"],"properties":{
                  "before":{"type":"integer","minimum":1,"description":"Only messages with a smaller id (older)."},
                  "after":{"type":"integer","minimum":0,"description":"Only messages with a larger id (newer)."},
                  "limit":{"type":"integer","minimum":1,"maximum":{{{ModelInput.MaxPageSize}}},"default":{{{ModelInput.DefaultPageSize}}}}},
                 "additionalProperties":false}
                """, HistoryAsync)
            {
                ExampleContext = new JsonObject { ["room"] = "lobby" },
                ExampleData = new JsonObject { ["limit"] = 20 },
                ReadOnly = true,
                Idempotent = true,
            },
            new("rooms", "Lists the rooms that have messages, with their message count and last activity.", ModelInput.NoDataSchema, RoomsAsync)
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "chat";

    public string Description => "Chat rooms with history: send messages, read a room's history, list rooms (context: the sender, or {\"user\", \"room\"}).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult> SendAsync(ModelCall call, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var user = ModelInput.FromContext(call, "user", textIsThisKey: true);
        var room = Room(call);
        ModelInput.CheckName(user, "context.user", errors, "\"context\": \"ana\" or {\"user\": \"ana\", \"room\": \"lobby\"}");
        ModelInput.CheckName(room, "context.room", errors, "\"lobby\"");
        var text = call.Data.ValueKind == JsonValueKind.String ? call.Data.GetString()! : call.Data.GetProperty("text").GetString()!;
        if (string.IsNullOrWhiteSpace(text))
            errors.Add("data.text", "is blank; send some text.");
        else if (text.Length > _options.MaxTextLength)
            errors.Add("data.text", $"is {text.Length} characters long; messages may have at most {_options.MaxTextLength} (Chat:MaxTextLength).");
        errors.ThrowIfAny("The message cannot be sent");

        var message = await _store.AppendAsync(room, user!, text, sent =>
            _events.Publish(new ModelEvent("chat.message", $"chat:{room}", sent, sent.Id) { At = sent.SentAt }), ct);
        return new ModelResult($"Message {message.Id} sent to room '{room}'.", message);
    }

    private async ValueTask<ModelResult> HistoryAsync(ModelCall call, CancellationToken ct)
    {
        var room = Room(call);
        var errors = new FieldErrors();
        ModelInput.CheckName(room, "context.room", errors, "{\"room\": \"lobby\"}");
        errors.ThrowIfAny("The room name is invalid");
        var messages = await _store.HistoryAsync(room, ModelInput.OptionalLong(call.Data, "before"),
            ModelInput.OptionalLong(call.Data, "after"), ModelInput.PageSize(call.Data), ct);
        return new ModelResult($"{messages.Count} message(s) from room '{room}'.", new ChatHistory(room, messages));
    }

    private async ValueTask<ModelResult> RoomsAsync(ModelCall call, CancellationToken ct)
    {
        var rooms = await _store.RoomsAsync(ct);
        return new ModelResult($"{rooms.Count} room(s) with messages.", new ChatRooms(rooms));
    }

    /// <summary>The context object's room; a plain-string context names the sender, who talks in the default room.</summary>
    private string Room(ModelCall call) => ModelInput.FromContext(call, "room", textIsThisKey: false) ?? _options.DefaultRoom;

    public sealed record ChatHistory(string Room, IReadOnlyList<ChatMessage> Messages);

    public sealed record ChatRooms(IReadOnlyList<ChatRoom> Rooms);
}
