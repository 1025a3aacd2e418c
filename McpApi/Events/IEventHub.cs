namespace McpApi.Events;

/// <summary>What models see: a place to announce changes. Never blocks the writer.</summary>
public interface IEventPublisher
{
    void Publish(ModelEvent modelEvent);
}

/// <summary>
/// Fans events out to subscribers. The in-process hub is the default; a cross-replica backplane
/// (PostgreSQL LISTEN/NOTIFY, Redis) can implement the same interface: publish to the backplane,
/// and deliver what arrives from it to the local subscriptions exactly as <see cref="InProcessEventHub"/> does.
/// </summary>
public interface IEventHub : IEventPublisher
{
    /// <summary>
    /// Subscribes to <paramref name="topics"/> with a bounded queue of <paramref name="capacity"/> events. A topic
    /// <c>{model}:*</c> (<see cref="EveryTopicOf"/>) follows every topic of the model; each event reaches a subscriber once.
    /// </summary>
    IEventSubscription Subscribe(IEnumerable<string> topics, int capacity);

    /// <summary>The topic that follows every topic of <paramref name="model"/>: <c>chat:*</c> (no name is <c>*</c>).</summary>
    static string EveryTopicOf(string model) => model + ":*";

    /// <summary>The model whose every topic <paramref name="topic"/> follows, or null for a topic of one place.</summary>
    static string? EveryTopicModel(string topic) =>
        topic.Length > 2 && topic.EndsWith(":*", StringComparison.Ordinal) ? topic[..^2] : null;

    /// <summary>Whether an event on <paramref name="eventTopic"/> reaches a subscriber of <paramref name="followed"/>.</summary>
    static bool Follows(string followed, string eventTopic) =>
        string.Equals(followed, eventTopic, StringComparison.Ordinal)
        || EveryTopicModel(followed) is { } model && eventTopic.Length > model.Length
            && eventTopic[model.Length] == ':' && eventTopic.StartsWith(model, StringComparison.Ordinal);
}

/// <summary>
/// One subscriber's bounded queue. When it is full the hub drops the subscriber instead of waiting:
/// <see cref="Overflowed"/> is cancelled at once and the reader completes with <see cref="EventQueueOverflowException"/>.
/// </summary>
public interface IEventSubscription : IDisposable
{
    System.Threading.Channels.ChannelReader<ModelEvent> Reader { get; }

    IReadOnlyCollection<string> Topics { get; }

    /// <summary>
    /// Cancelled as soon as the hub drops this subscriber for falling behind, even while the reader still
    /// holds queued events; doors use it to stop delivering and disconnect with a reason.
    /// </summary>
    CancellationToken Overflowed { get; }

    void Add(IEnumerable<string> topics);

    void Remove(IEnumerable<string> topics);
}

public sealed class EventQueueOverflowException(int capacity)
    : Exception($"The subscriber fell {capacity} events behind and was disconnected; read faster or subscribe to fewer topics.")
{
    public int Capacity { get; } = capacity;
}
