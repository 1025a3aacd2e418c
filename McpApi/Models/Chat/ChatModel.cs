using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
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
            ModelAction.For<SenderContext, ChatText, ChatMessage>("send",
                $"Sends a message (a string or {{\"text\": ...}}, at most Chat:MaxTextLength = {_options.MaxTextLength} characters) to the context's room and returns it with its id.", SendAsync)
            with
            {
                ExampleContext = new SenderContext("ana", "lobby"),
                ExampleData = new ChatText("Hello, world!"),
                Check = CheckText,
            },
            ModelAction.For<ChatContext, HistoryPage, ChatHistory>("history",
                $"Returns a room's messages, oldest first: the latest {ModelInput.DefaultPageSize} (limit), those before an id, or those after an id.", HistoryAsync)
            with
            {
                ExampleContext = new ChatContext(Room: "lobby"),
                ExampleData = new HistoryPage(Limit: 20),
                ReadOnly = true,
                Idempotent = true,
            },
            ModelAction.For<NoContext, NoData, ChatRooms>("rooms", "Lists the rooms that have messages, with their message count and last activity.", RoomsAsync)
            with
            {
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "chat";

    public string Description => "Chat rooms with history: send messages, read a room's history, list rooms (context: the sender, or {\"user\", \"room\"}).";

    public IReadOnlyList<ModelAction> Actions { get; }

    public string? DefaultContextScope => _options.DefaultRoom;

    private void CheckText(ChatText data, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(data.Text))
            errors.Add("data.text", "is blank; send some text.");
        else if (data.Text.Length > _options.MaxTextLength)
            errors.Add("data.text", $"is {data.Text.Length} characters long; messages may have at most {_options.MaxTextLength} (Chat:MaxTextLength).");
    }

    private async ValueTask<ModelResult<ChatMessage>> SendAsync(ActionCall<SenderContext, ChatText> call, CancellationToken ct)
    {
        var user = call.Context.User;
        var room = call.Context.Room ?? _options.DefaultRoom;
        var message = await _store.AppendAsync(room, user, call.Data.Text, sent =>
            _events.Publish(new ModelEvent("chat.message", $"chat:{room}", sent, sent.Id) { At = sent.SentAt }), ct);
        return new($"Message {message.Id} sent to room '{room}'.", message);
    }

    private async ValueTask<ModelResult<ChatHistory>> HistoryAsync(ActionCall<ChatContext, HistoryPage> call, CancellationToken ct)
    {
        var room = call.Context.Room ?? _options.DefaultRoom;
        var messages = await _store.HistoryAsync(room, call.Data.Before, call.Data.After, call.Data.Limit, ct);
        return new($"{messages.Count} message(s) from room '{room}'.", new ChatHistory(room, messages));
    }

    private async ValueTask<ModelResult<ChatRooms>> RoomsAsync(ActionCall<NoContext, NoData> call, CancellationToken ct)
    {
        var rooms = await _store.RoomsAsync(ct);
        return new($"{rooms.Count} room(s) with messages.", new ChatRooms(rooms));
    }

    public sealed record ChatHistory(string Room, IReadOnlyList<ChatMessage> Messages);

    public sealed record ChatRooms(IReadOnlyList<ChatRoom> Rooms);

    /// <summary>The sender, as a plain string (room: Chat:DefaultRoom) or <c>{"user": ..., "room": ...}</c>.</summary>
    [PlainString(nameof(User))]
    public sealed record SenderContext(
        [Name, CallerName, Description("The sender."), Required(ErrorMessage = "is required, e.g. \"context\": \"ana\" or {\"user\": \"ana\", \"room\": \"lobby\"}.")] string User,
        [Name, ContextScope, Description("The room (default: Chat:DefaultRoom).")] string? Room = null);

    /// <summary>The room to read; a plain string (the sender, as for send) reads the default room.</summary>
    [PlainString(nameof(User))]
    public sealed record ChatContext(
        [Name, Description("The reader; not needed to read.")] string? User = null,
        [Name, ContextScope, Description("The room (default: Chat:DefaultRoom).")] string? Room = null);

    /// <summary>The message text, as a plain string or <c>{"text": ...}</c>.</summary>
    [PlainString(nameof(Text))]
    public sealed record ChatText([Description("The message text.")] string Text);

    public sealed record HistoryPage(
        [Range(1, long.MaxValue), Description("Only messages with a smaller id (older).")] long? Before = null,
        [Range(0, long.MaxValue), Description("Only messages with a larger id (newer).")] long? After = null,
        [Range(1, ModelInput.MaxPageSize)] int Limit = ModelInput.DefaultPageSize);
}
