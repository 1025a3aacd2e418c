using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Events;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Realtime;

/// <summary>
/// Declares that a model keeps history for its topics, so a reconnecting subscriber can catch up:
/// for topic <c>{Model}:{scope}</c> the replay calls <c>Action</c> through the dispatcher with context
/// <c>{ContextKey: scope}</c> and data <c>{"after": cursor, "limit": n}</c>, and turns each of the result's
/// <see cref="Items"/> (oldest first) into an <c>EventType</c> event with its cursor and the time it happened (not the
/// replay's). Declare one with <see cref="For{TResult, TItem}"/>.
/// </summary>
public sealed record TopicHistory(string Model, string Action, string ContextKey, string EventType, Func<object?, IEnumerable<ReplayItem>> Items)
{
    /// <summary>
    /// A history whose action returns <typeparamref name="TResult"/>, holding <typeparamref name="TItem"/>s with a cursor
    /// and a time each.
    /// </summary>
    public static TopicHistory For<TResult, TItem>(
        string model, string action, string contextKey, string eventType,
        Func<TResult, IEnumerable<TItem>> items, Func<TItem, long> cursor, Func<TItem, DateTimeOffset> at)
        where TItem : notnull =>
        new(model, action, contextKey, eventType,
            data => data is TResult result ? items(result).Select(item => new ReplayItem(item, cursor(item), at(item))) : []);
}

/// <summary>One replayed item, as the model's action returned it, its position and when it happened.</summary>
public readonly record struct ReplayItem(object Item, long Cursor, DateTimeOffset At);

/// <summary>Replays missed events from the models that keep history (see <see cref="TopicHistory"/>), through the one dispatcher.</summary>
public sealed partial class EventReplay(
    Dispatcher dispatcher, IEnumerable<TopicHistory> histories, IOptions<RealtimeOptions> options, ILogger<EventReplay> logger)
{
    private readonly Dictionary<string, TopicHistory> _byModel = histories.ToDictionary(h => h.Model, StringComparer.Ordinal);

    public bool CanReplay(string topic) =>
        _byModel.TryGetValue(topic[..Math.Max(0, topic.IndexOf(':'))], out var history) && dispatcher.Registry.TryGet(history.Model, out _);

    /// <summary>Up to <see cref="RealtimeOptions.ReplayLimit"/> events of <paramref name="topic"/> after <paramref name="after"/>, oldest first.</summary>
    /// <param name="identity">The stream's authenticated caller (null: authentication is off).</param>
    public async Task<IReadOnlyList<ModelEvent>> ReplayAsync(string topic, long after, string door, string traceId, CancellationToken cancellationToken,
        Auth.CallerIdentity? identity = null)
    {
        var limit = options.Value.ReplayLimit;
        if (limit == 0 || !CanReplay(topic))
            return [];
        var colon = topic.IndexOf(':');
        var history = _byModel[topic[..colon]];
        var context = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [history.ContextKey] = topic[(colon + 1)..] }, EnvelopeJson.Options);
        var data = JsonSerializer.SerializeToElement(new Dictionary<string, long> { ["after"] = after, ["limit"] = limit }, EnvelopeJson.Options);
        using var result = await dispatcher.DispatchAsync(history.Model, history.Action, context, data, new CallContext(door, traceId) { Identity = identity }, cancellationToken);
        if (!result.IsSuccess)
        {
            LogReplayFailed(logger, topic, result.Response.Message);
            return [];
        }
        return [.. history.Items(result.Response.Data).Select(item => new ModelEvent(history.EventType, topic, item.Item, item.Cursor) { At = item.At })];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay of {Topic} failed: {Reason}")]
    private static partial void LogReplayFailed(ILogger logger, string topic, string reason);
}
