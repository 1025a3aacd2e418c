namespace McpApi.Storage;

/// <summary>A chat message. Ids are unique across rooms and grow in the order messages were stored.</summary>
public sealed record ChatMessage(long Id, string Room, string User, string Text, DateTime SentAt);

public sealed record ChatRoom(string Room, long Messages, DateTime LastActivity);

/// <summary>Where the chat model keeps rooms and their history.</summary>
public interface IChatStore
{
    /// <summary>Stores a message; <paramref name="committed"/> runs after the commit and before the next write, so events leave in id order.</summary>
    Task<ChatMessage> AppendAsync(string room, string user, string text, Action<ChatMessage>? committed, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> messages of a room, oldest first: the first ones after <paramref name="after"/> when given,
    /// else the latest ones before <paramref name="before"/> (or the latest of all).
    /// </summary>
    Task<IReadOnlyList<ChatMessage>> HistoryAsync(string room, long? before, long? after, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChatRoom>> RoomsAsync(CancellationToken cancellationToken);
}
