using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Events;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Subscriptions;

/// <summary>
/// Declares that a model keeps history for its topics, so a reconnecting subscriber can catch up:
/// for topic <c>{Model}:{scope}</c> the replay sends
/// <c>{"model":Model,"action":Action,"context":{ContextKey:scope},"data":{"after":cursor,"limit":n}}</c> through the dispatcher
/// and turns each item of the reply's <c>data.{ItemsProperty}</c> (oldest first) into an <c>EventType</c> event whose
/// cursor is the item's <c>CursorProperty</c>.
/// </summary>
public sealed record TopicHistory(string Model, string Action, string ContextKey, string ItemsProperty, string EventType, string CursorProperty = "id");

/// <summary>Replays missed events from the models that keep history (see <see cref="TopicHistory"/>), through the one dispatcher.</summary>
public sealed partial class EventReplay(
    Dispatcher dispatcher, IEnumerable<TopicHistory> histories, IOptions<RealtimeOptions> options, ILogger<EventReplay> logger)
{
    private readonly Dictionary<string, TopicHistory> _byModel = histories.ToDictionary(h => h.Model, StringComparer.Ordinal);

    public bool CanReplay(string topic) =>
        _byModel.TryGetValue(topic[..Math.Max(0, topic.IndexOf(':'))], out var history) && dispatcher.Registry.TryGet(history.Model, out _);

    /// <summary>Up to <see cref="RealtimeOptions.ReplayLimit"/> events of <paramref name="topic"/> after <paramref name="after"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ModelEvent>> ReplayAsync(string topic, long after, string door, string traceId, CancellationToken cancellationToken)
    {
        var limit = options.Value.ReplayLimit;
        if (limit == 0 || !CanReplay(topic))
            return [];
        var colon = topic.IndexOf(':');
        var history = _byModel[topic[..colon]];
        var context = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [history.ContextKey] = topic[(colon + 1)..] }, McpJson.Options);
        var data = JsonSerializer.SerializeToElement(new Dictionary<string, long> { ["after"] = after, ["limit"] = limit }, McpJson.Options);
        using var result = await dispatcher.DispatchAsync(history.Model, history.Action, context, data, new CallContext(door, traceId), cancellationToken);
        if (!result.IsSuccess)
        {
            LogReplayFailed(logger, topic, result.Response.Message);
            return [];
        }
        var page = McpJson.ToElement(result.Response.Data);
        if (page.ValueKind != JsonValueKind.Object || !page.TryGetProperty(history.ItemsProperty, out var items) || items.ValueKind != JsonValueKind.Array)
            return [];
        return [.. items.EnumerateArray().Select(item => new ModelEvent(history.EventType, topic, item.Clone(), Cursor(item, history)))];
    }

    private static long? Cursor(JsonElement item, TopicHistory history) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(history.CursorProperty, out var cursor) && cursor.TryGetInt64(out var value)
            ? value
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay of {Topic} failed: {Reason}")]
    private static partial void LogReplayFailed(ILogger logger, string topic, string reason);
}
