using McpApi.Dispatching;
using McpApi.Envelopes;

namespace McpApi.Doors.Realtime;

/// <summary>
/// The subscription limit and the final notices every real-time door (WebSocket, TCP, SSE) shares, so a client hears
/// the same rule and the same reason whichever door it uses.
/// </summary>
public static class SubscriptionLimits
{
    /// <summary>Throws 422 <c>too_many_topics</c> when one connection would follow more than <see cref="RealtimeOptions.MaxTopicsPerConnection"/> topics.</summary>
    public static void CheckTopicCount(int total, RealtimeOptions options)
    {
        if (total > options.MaxTopicsPerConnection)
            throw new RequestError(StatusCodes.Status422UnprocessableEntity, RealtimeErrorCodes.TooManyTopics,
                $"A connection may subscribe to at most {options.MaxTopicsPerConnection} topics (setting McpApi:Realtime:MaxTopicsPerConnection); this would make {total}. Unsubscribe from some first, or ask for fewer.");
    }

    /// <summary>The final message to a subscriber that fell <see cref="RealtimeOptions.SubscriberQueueCapacity"/> events behind.</summary>
    public static EnvelopeResponse OverflowNotice(RealtimeOptions options, string traceId) => Notice(RealtimeErrorCodes.EventQueueOverflow,
        $"Disconnected: this connection fell {options.SubscriberQueueCapacity} events behind (setting McpApi:Realtime:SubscriberQueueCapacity). Read events faster or subscribe to fewer topics, then reconnect (an SSE client with Last-Event-ID catches up).",
        traceId);

    /// <summary>The final message when the server shuts down.</summary>
    public static EnvelopeResponse StoppingNotice(string traceId) =>
        Notice(RealtimeErrorCodes.ServerStopping, "The server is shutting down. Reconnect in a moment.", traceId);

    private static EnvelopeResponse Notice(string code, string message, string traceId) =>
        new(EnvelopeResponse.Error, message, new ErrorDetails { Code = code, TraceId = traceId });
}
