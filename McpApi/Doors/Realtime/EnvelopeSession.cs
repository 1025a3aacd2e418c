using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Events;
using McpApi.Metrics;

namespace McpApi.Doors.Realtime;

/// <summary>
/// One WebSocket or TCP connection's state, whatever its framing: it parses each message with
/// <see cref="EnvelopeParser"/>, answers <c>subscribe</c> itself, sends everything else to the one
/// <see cref="Dispatcher"/>, echoes the request's <c>id</c>, applies the per-connection rate limit,
/// and owns the connection's event subscription.
/// </summary>
public sealed class EnvelopeSession : IDisposable
{
    private readonly string _door;
    private readonly string _connectionId;
    private readonly Dispatcher _dispatcher;
    private readonly SubscriptionCommands _commands;
    private readonly RealtimeOptions _options;
    private readonly TokenBucketRateLimiter _limiter;
    private readonly McpApiMetrics.OpenConnection _connection;
    private long _sequence;

    public EnvelopeSession(string door, string connectionId, Dispatcher dispatcher, IEventHub hub, RealtimeOptions options)
    {
        _door = door;
        _connectionId = connectionId;
        _dispatcher = dispatcher;
        _options = options;
        _commands = new SubscriptionCommands(dispatcher.Registry, options);
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.MessageBurst,
            TokensPerPeriod = options.MessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        Subscription = hub.Subscribe([], options.SubscriberQueueCapacity);
        _connection = McpApiMetrics.ConnectionOpened(door);
    }

    public IEventSubscription Subscription { get; }

    /// <summary>Envelopes this connection may have in flight (<see cref="RealtimeOptions.MaxInFlightPerConnection"/>).</summary>
    public int MaxInFlight => _options.MaxInFlightPerConnection;

    /// <summary>The client's IP address, for the caller's rate limits.</summary>
    public IPAddress? ClientAddress { get; init; }

    /// <summary>Who the connection belongs to when authentication is on (null: off).</summary>
    public SessionAuthentication? Authentication { get; init; }

    public string NextTraceId() => $"{_connectionId}:{Interlocked.Increment(ref _sequence)}";

    /// <summary>
    /// True for a message that must run alone on a pipelined connection: after every earlier envelope is answered and
    /// before any later one starts (<c>subscribe</c>: a subscription covers exactly the envelopes sent after it; every
    /// message while the connection still owes its first <c>auth</c> message, so nothing runs before it is checked).
    /// </summary>
    public bool RunsAlone(ReadOnlySpan<byte> message) =>
        Authentication is { Identity: null } || SubscriptionCommands.IsCommand(message);

    /// <summary>Answers one message (a WebSocket text message or a TCP line) with the UTF-8 JSON reply.</summary>
    public async ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var traceId = NextTraceId();
        using var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
            return Failure(new RequestError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                $"Too many messages: this connection may send {_options.MessagesPerSecond} per second (bursts of {_options.MessageBurst}). Wait a moment and send again."),
                traceId, EnvelopeParser.TryReadId(message));

        if (Authentication is { Identity: null } pending)
            return await pending.HandleFirstAsync(message, traceId, cancellationToken);
        var identity = Authentication?.Identity;
        // The rate limit above is applied in the order messages arrive; the dispatch runs on the thread pool, so a
        // pipelined connection reads its next envelope meanwhile (a write may commit inline, on the calling thread).
        await Task.Yield();
        using var result = await _dispatcher.DispatchAsync(message,
            new CallContext(_door, traceId) { Identity = identity, ClientAddress = ClientAddress }, cancellationToken,
            envelope => SubscriptionCommands.Handles(envelope) ? _commands.Handle(envelope, Subscription, identity) : null);
        // Serialize before the result is disposed: it may point into the request (echo does).
        return RealtimeJson.Serialize(SessionReply.From(result.Response, result.Id));
    }

    /// <summary>The error reply to a message over <see cref="RealtimeOptions.MaxMessageBytes"/>.</summary>
    public byte[] TooLarge(string unit) =>
        Failure(RequestError.TooLarge(ErrorCodes.PayloadTooLarge,
            $"The {unit} is larger than the {_options.MaxMessageBytes} byte limit (setting McpApi:Realtime:MaxMessageBytes). Send less data per envelope."),
            NextTraceId(), null);

    public byte[] Failure(RequestError error, string traceId, JsonElement? id) =>
        RealtimeJson.Serialize(SessionReply.From(Dispatcher.Failure(error, traceId).Response, id));

    /// <summary>Most queued events handed to the door in one batch.</summary>
    public const int MaxEventBatch = 64;

    /// <summary>
    /// Delivers queued events through <paramref name="send"/> until the connection ends or the hub drops it: every
    /// event already queued (up to <see cref="MaxEventBatch"/>) goes in one batch, which the door writes to the socket
    /// at once in its framing (a TCP line, a WebSocket text frame), encoded once per event and shared by all subscribers
    /// (<see cref="ModelEvent.EncodedAs"/>). Returns true when the subscriber overflowed, so the door can disconnect it
    /// with the reason.
    /// </summary>
    public async Task<bool> PushEventsAsync(Func<IReadOnlyList<ModelEvent>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        var reader = Subscription.Reader;
        var batch = new List<ModelEvent>();
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (batch.Count < MaxEventBatch && reader.TryRead(out var modelEvent))
                    batch.Add(modelEvent);
                if (Subscription.Overflowed.IsCancellationRequested)
                    return true;
                await send(batch, cancellationToken);
                batch.Clear();
            }
            return Subscription.Overflowed.IsCancellationRequested;
        }
        catch (EventQueueOverflowException)
        {
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The final message to an overflowed subscriber.</summary>
    public byte[] OverflowNotice() => RealtimeJson.Serialize(SessionReply.From(SubscriptionLimits.OverflowNotice(_options, NextTraceId()), null));

    /// <summary>The final message when the server shuts down.</summary>
    public byte[] StoppingNotice() => RealtimeJson.Serialize(SessionReply.From(SubscriptionLimits.StoppingNotice(NextTraceId()), null));

    public void Dispose()
    {
        _connection.Dispose();
        Subscription.Dispose();
        _limiter.Dispose();
        Authentication?.Dispose();
    }
}
