namespace McpApi.Events;

/// <summary>
/// A change a model announces, e.g. <c>chat.message</c> on topic <c>chat:lobby</c>.
/// Topics are <c>{model}:{scope}</c>: <c>chat:{room}</c>, <c>move:{game}</c>, <c>state:{namespace}</c>, <c>notes:{notebook}</c>.
/// </summary>
/// <param name="Type">What happened: <c>chat.message</c>, <c>move.played</c>, <c>move.finished</c>, <c>state.changed</c>, <c>notes.added</c>.</param>
/// <param name="Topic">Where it happened; subscribers choose topics.</param>
/// <param name="Data">The changed item, as the model's actions return it.</param>
/// <param name="Cursor">A position for replay (e.g. the chat message id), when the model keeps history.</param>
public sealed record ModelEvent(string Type, string Topic, object? Data, long? Cursor = null)
{
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;

    // The event as the real-time doors send it: encoded by the first subscriber that needs it, then shared by all.
    private byte[]? _encoded;
    private object? _encodeLock;
    private int _encodings;

    /// <summary>
    /// The event encoded by <paramref name="encode"/>, which runs once per event however many subscribers ask
    /// (the others wait for the first and share its bytes). Every caller must pass the same encoding.
    /// </summary>
    internal byte[] EncodedOnce(Func<ModelEvent, byte[]> encode) =>
        Volatile.Read(ref _encoded) ?? LazyInitializer.EnsureInitialized(ref _encoded, ref _encodeLock, () =>
        {
            Interlocked.Increment(ref _encodings);
            return encode(this);
        });

    /// <summary>How many times this event was encoded for the real-time doors (1 once anyone subscribed to it received it).</summary>
    internal int Encodings => Volatile.Read(ref _encodings);

    // The encoded bytes are a cache, not part of the event: a `with` copy starts without them, and equality ignores them.
    private ModelEvent(ModelEvent original)
    {
        Type = original.Type;
        Topic = original.Topic;
        Data = original.Data;
        Cursor = original.Cursor;
        At = original.At;
    }

    public bool Equals(ModelEvent? other) =>
        other is not null && (ReferenceEquals(this, other)
            || Type == other.Type && Topic == other.Topic && Equals(Data, other.Data) && Cursor == other.Cursor && At == other.At);

    public override int GetHashCode() => HashCode.Combine(Type, Topic, Data, Cursor, At);
}
