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

    // The event as the real-time doors send it, once per encoding (its JSON message; an SSE event block): encoded by
    // the first subscriber that needs it, then shared by all. Replaced whole under the lock, read without it.
    private (EventEncoding Encoding, byte[] Bytes)[] _encoded = [];
    private object? _encodeLock;
    private int _encodings;

    /// <summary>
    /// The event encoded by <paramref name="encoding"/>, which runs once per event however many subscribers ask
    /// (the others wait for the first and share its bytes).
    /// </summary>
    internal byte[] EncodedAs(EventEncoding encoding)
    {
        foreach (var (known, bytes) in Volatile.Read(ref _encoded))
        {
            if (ReferenceEquals(known, encoding))
                return bytes;
        }
        return EncodeOnce(encoding);
    }

    private byte[] EncodeOnce(EventEncoding encoding)
    {
        // Monitor is reentrant: one encoding may build on another (an SSE event block on the JSON message).
        lock (LazyInitializer.EnsureInitialized(ref _encodeLock))
        {
            foreach (var (known, existing) in _encoded)
            {
                if (ReferenceEquals(known, encoding))
                    return existing;
            }
            var bytes = encoding.Encode(this);
            Interlocked.Increment(ref _encodings);
            Volatile.Write(ref _encoded, [.. _encoded, (encoding, bytes)]);
            return bytes;
        }
    }

    /// <summary>How many encodings of this event were made for the real-time doors (one per encoding any subscriber received it in).</summary>
    internal int Encodings => Volatile.Read(ref _encodings);

    // The encoded bytes are a cache, not part of the event: a `with` copy starts without them, and equality ignores them.
    private ModelEvent(ModelEvent original)
    {
        Type = original.Type;
        Topic = original.Topic;
        Data = original.Data;
        Cursor = original.Cursor;
        At = original.At;
        _encoded = [];
    }

    public bool Equals(ModelEvent? other) =>
        other is not null && (ReferenceEquals(this, other)
            || Type == other.Type && Topic == other.Topic && Equals(Data, other.Data) && Cursor == other.Cursor && At == other.At);

    public override int GetHashCode() => HashCode.Combine(Type, Topic, Data, Cursor, At);
}

/// <summary>
/// One way the real-time doors encode an event for the wire (the JSON message every door sends; an SSE event block):
/// <see cref="ModelEvent.EncodedAs"/> encodes each event at most once per encoding and shares the bytes.
/// </summary>
public sealed class EventEncoding(string name, Func<ModelEvent, byte[]> encode)
{
    internal byte[] Encode(ModelEvent modelEvent) => encode(modelEvent);

    public override string ToString() => name;
}
