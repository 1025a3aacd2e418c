using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Doors.Limits;
using McpApi.Doors.Realtime;
using McpApi.Envelopes;
using McpApi.Events;
using McpApi.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Sse;

/// <summary>The server-sent events door: <c>GET /mcp/events?topics=chat:lobby,move:g1</c>, for <c>curl -N</c> and <c>EventSource</c>.</summary>
public static partial class SseEndpoints
{
    public const string ReadyEvent = "ready";
    public const string KeepAliveEvent = "keepalive";
    public const string ClosedEvent = "closed";

    public static RouteHandlerBuilder MapSseDoor(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/mcp/events/ticket", SseTickets.IssueTicket)
            .WithTags("Real-time")
            .WithName("EventStreamTicket")
            .WithSummary("Trade the request's credential for a one-use ticket that opens one event stream (for EventSource)")
            .WithDescription("""
                With authentication on, browsers' `EventSource` cannot send the key. POST here with `Authorization: Bearer <key>`
                (or `X-Api-Key`) and get `{"data":{"ticket":"...","expiresInSeconds":30}}`; then open
                `GET /mcp/events?topics=chat:lobby&ticket=<ticket>`. A ticket opens one stream, within Auth:TicketSeconds.
                """)
            .Produces<EnvelopeResponse>(StatusCodes.Status200OK)
            .Produces<EnvelopeResponse>(StatusCodes.Status401Unauthorized);
        return routes.MapGet("/mcp/events", Stream)
            .WithTags("Real-time")
            .WithName("EventStream")
            .WithSummary("Stream events of the given topics as server-sent events")
            .WithDescription("""
                `GET /mcp/events?topics=chat:lobby,move:g1` (curl: `curl -N`). First a `ready` event, then one event per change:
                `event: chat.message`, `data: {"status":"event","message":"chat.message","topic":"chat:lobby","cursor":12,"at":...,"data":{...}}`,
                and `id:` carrying the cursors seen so far (`chat:lobby=12`). Reconnect with `Last-Event-ID` (that id, or a plain
                message id) to replay what was missed from models that keep history (chat), up to McpApi:Realtime:ReplayLimit per topic.
                `keepalive` events keep proxies from closing the stream; a final `closed` event (data: an error envelope with code
                `event_queue_overflow` or `server_stopping`) says why the server ended it. Past McpApi:Connections:MaxEventStreams
                (503) or MaxPerClient (429) the stream is refused with an error envelope.
                """)
            .Produces<EnvelopeResponse>(StatusCodes.Status400BadRequest)
            .Produces<EnvelopeResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<EnvelopeResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<EnvelopeResponse>(StatusCodes.Status503ServiceUnavailable)
            .Produces<EnvelopeResponse>(StatusCodes.Status401Unauthorized)
            .Produces<EnvelopeResponse>(StatusCodes.Status403Forbidden)
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream");
    }

    internal static async Task<Results<SseEventsResult, EnvelopeResult>> Stream(
        HttpContext http, string? topics, string? ticket, Dispatcher dispatcher, IEventHub hub, EventReplay replay,
        IOptions<RealtimeOptions> options, IHostApplicationLifetime lifetime, ConnectionLimits limits, ILoggerFactory loggers,
        CallerAuthentication authentication, SseTickets tickets)
    {
        // With authentication on: the credential in the headers (curl), or a ticket from POST /mcp/events/ticket (EventSource).
        CallerIdentity? identity = null;
        if (authentication.Required)
        {
            var caller = await authentication.CallerAsync(http, "sse");
            identity = caller.Identity ?? (string.IsNullOrEmpty(ticket) ? null : tickets.Redeem(ticket));
            if (identity is null)
            {
                await CallerAuthentication.ChallengeAsync(http);
                return EnvelopeEndpoints.Write(Dispatcher.Failure(Access.Unauthenticated(string.IsNullOrEmpty(ticket) ? caller
                    : caller with { CredentialProblem = "The ticket is unknown, used or expired: POST /mcp/events/ticket with your key for a new one (each opens one stream)." }),
                    caller.TraceId));
            }
        }
        // Bad topics or Last-Event-ID: thrown to the HTTP pipeline's one error handler, which answers with the error envelope.
        if (string.IsNullOrWhiteSpace(topics))
            throw RequestError.BadRequest(RealtimeErrorCodes.InvalidTopic,
                "Name the topics to stream: GET /mcp/events?topics=chat:lobby,move:g1");
        var requested = SessionAuthentication.Topics(identity,
            Topics.Validate(topics.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), dispatcher.Registry, "topics"));
        SubscriptionLimits.CheckTopicCount(requested.Length, options.Value);
        var cursors = LastEventId.Parse(http.Request.Headers["Last-Event-ID"].ToString(), requested);
        var address = http.Connection.RemoteIpAddress;
        var place = limits.TryOpen(ConnectionDoor.EventStream, address, out var limit, identity)
            ?? throw limits.Refusal(ConnectionDoor.EventStream, limit!, address, identity);
        http.Response.RegisterForDispose(place); // the stream holds its place until the request ends

        var stream = new EventStream(http, requested, new SortedList<string, long>(cursors, StringComparer.Ordinal), hub, replay, options.Value, lifetime.ApplicationStopping,
            loggers.CreateLogger("McpApi.Doors.Sse.EventStream"), identity);
        return new SseEventsResult(stream.ReadAsync(http.RequestAborted));
    }

    private sealed partial class EventStream(
        HttpContext http, string[] topics, SortedList<string, long> cursors, IEventHub hub, EventReplay replay,
        RealtimeOptions options, CancellationToken stopping, ILogger logger, CallerIdentity? identity)
    {
        private enum Wake { Events, KeepAlive, Overflow, Stopping, Gone }

        private readonly Lock _gate = new();
        private bool _ended;
        private int _overflowLogged;

        public async IAsyncEnumerable<SseChunk> ReadAsync([EnumeratorCancellation] CancellationToken aborted)
        {
            // Subscribe before replaying, so nothing published meanwhile is lost; replayed cursors de-duplicate.
            using var subscription = hub.Subscribe(topics, options.SubscriberQueueCapacity);
            using var cutOnOverflow = subscription.Overflowed.Register(() => _ = CutAfterGraceAsync());
            using var ended = new EndOfStream(this);
            using var connection = McpApiMetrics.ConnectionOpened("sse");
            using var waking = new Waking(aborted, stopping, subscription.Overflowed, options.KeepAlive);
            var traceId = http.TraceIdentifier;

            yield return new SseItem<byte[]>(
                Utf8(RealtimeJson.ToText(new EnvelopeResponse(EnvelopeResponse.Success, $"Subscribed to {string.Join(", ", topics)}.", new SubscriptionCommands.SubscriptionData(topics)))),
                ReadyEvent) { ReconnectionInterval = TimeSpan.FromSeconds(3) };

            foreach (var topic in cursors.Keys.Where(t => !replay.CanReplay(t)).ToArray())
                cursors.Remove(topic);
            foreach (var (topic, after) in cursors.ToArray())
            {
                foreach (var missed in await replay.ReplayAsync(topic, after, "sse", traceId, aborted, identity))
                    yield return Item(missed);
            }

            var reader = subscription.Reader;
            while (true)
            {
                switch (await WaitAsync(reader, waking, subscription.Overflowed, aborted))
                {
                    case Wake.Events:
                        waking.EventsArrived();
                        while (!subscription.Overflowed.IsCancellationRequested && reader.TryRead(out var modelEvent))
                        {
                            if (modelEvent.Cursor is { } cursor && cursors.TryGetValue(modelEvent.Topic, out var seen) && cursor <= seen)
                                continue;
                            yield return Item(modelEvent);
                        }
                        break;
                    case Wake.KeepAlive:
                        if (waking.Quiet)
                            yield return new SseItem<byte[]>(KeepAliveData, KeepAliveEvent);
                        break;
                    case Wake.Overflow:
                        if (Interlocked.Exchange(ref _overflowLogged, 1) == 0)
                            LogOverflow(logger, traceId, options.SubscriberQueueCapacity);
                        yield return Closed(SubscriptionLimits.OverflowNotice(options, traceId));
                        yield break;
                    case Wake.Stopping:
                        yield return Closed(SubscriptionLimits.StoppingNotice(traceId));
                        yield break;
                    default:
                        yield break;
                }
            }

            static SseChunk Closed(EnvelopeResponse notice) => new SseItem<byte[]>(Utf8(RealtimeJson.ToText(notice)), ClosedEvent);
        }

        private static readonly byte[] KeepAliveData = "{}"u8.ToArray();

        private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

        /// <summary>
        /// An event: its SSE block, encoded once and shared by every stream (<see cref="SseEventBlock"/>); a stream that
        /// holds cursors of other topics too shares the block's event and data lines and writes its own id.
        /// </summary>
        private SseChunk Item(ModelEvent modelEvent)
        {
            var block = SseEventBlock.Of(modelEvent);
            if (modelEvent.Cursor is not { } cursor)
                return new SseChunk(default, block);
            cursors[modelEvent.Topic] = cursor;
            return cursors.Count == 1 ? new SseChunk(default, block) : new SseChunk(default, block, modelEvent, cursors);
        }

        private static async Task<Wake> WaitAsync(System.Threading.Channels.ChannelReader<ModelEvent> reader, Waking waking, CancellationToken overflowed, CancellationToken aborted)
        {
            try
            {
                return await reader.WaitToReadAsync(waking.Next()) && !overflowed.IsCancellationRequested ? Wake.Events
                    : overflowed.IsCancellationRequested ? Wake.Overflow : Wake.Gone;
            }
            catch (EventQueueOverflowException)
            {
                return Wake.Overflow;
            }
            catch (OperationCanceledException)
            {
                return aborted.IsCancellationRequested ? Wake.Gone
                    : overflowed.IsCancellationRequested ? Wake.Overflow
                    : waking.Stopping ? Wake.Stopping
                    : Wake.KeepAlive;
            }
        }

        /// <summary>
        /// What ends a wait for events: the client leaving, the server stopping, an overflow, or the keep-alive period.
        /// One linked source per stream whose keep-alive timer runs across waits: it is armed when the source is made and
        /// a new source is made only after it fired. Re-arming a timer per wait takes the runtime's timer-queue lock,
        /// which every stream shares (7% of the SSE fan-out profile's samples). On a busy stream the timer still fires
        /// once a period and is ignored; an idle stream gets its keep-alive event after one to two periods.
        /// </summary>
        private sealed class Waking(CancellationToken aborted, CancellationToken stopping, CancellationToken overflowed, TimeSpan keepAlive) : IDisposable
        {
            private CancellationTokenSource? _source;
            private long _eventsAt = Environment.TickCount64;

            public bool Stopping => stopping.IsCancellationRequested;

            /// <summary>True when a whole keep-alive period passed without events: a keep-alive event is due.</summary>
            public bool Quiet => Environment.TickCount64 - _eventsAt >= (long)keepAlive.TotalMilliseconds;

            public void EventsArrived() => _eventsAt = Environment.TickCount64;

            public CancellationToken Next()
            {
                if (_source is { IsCancellationRequested: true })
                {
                    _source.Dispose();
                    _source = null;
                }
                if (_source is null)
                {
                    _source = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, overflowed);
                    _source.CancelAfter(keepAlive);
                }
                return _source.Token;
            }

            public void Dispose() => _source?.Dispose();
        }

        /// <summary>A reader stuck mid-write never sees its final event: cut it after the grace period.</summary>
        private async Task CutAfterGraceAsync()
        {
            await Task.Delay(options.DisconnectGrace, CancellationToken.None);
            lock (_gate)
            {
                if (_ended)
                    return;
                if (Interlocked.Exchange(ref _overflowLogged, 1) == 0)
                    LogOverflowCut(logger, http.TraceIdentifier, options.SubscriberQueueCapacity, options.DisconnectGraceSeconds);
                http.Abort();
            }
        }

        /// <summary>Disposed when the stream ends; from then on the HttpContext may serve the connection's next request.</summary>
        private sealed class EndOfStream(EventStream stream) : IDisposable
        {
            public void Dispose()
            {
                lock (stream._gate)
                    stream._ended = true;
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "SSE stream {TraceId} fell {Capacity} events behind and is disconnected")]
        private static partial void LogOverflow(ILogger logger, string traceId, int capacity);

        [LoggerMessage(Level = LogLevel.Warning, Message = "SSE stream {TraceId} fell {Capacity} events behind while its reader took no data and was cut after {GraceSeconds} s without its closed event")]
        private static partial void LogOverflowCut(ILogger logger, string traceId, int capacity, int graceSeconds);
    }
}
