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
}
