using System.Buffers;
using System.Net.WebSockets;
using McpApi.Doors.Realtime;

namespace McpApi.Doors.WebSockets;

/// <summary>
/// Runs one accepted WebSocket: a receive loop (one envelope per text message, many in flight through an
/// <see cref="EnvelopePipeline"/>, answered in request order) and a push loop (the session's events, each batch sent
/// under one hold of the send lock). Sends are serialized. It closes with 1001 when the server stops and 1008 when the
/// client falls too far behind, and cuts a client that does not take its close frame within the grace period.
/// </summary>
public sealed partial class WebSocketConnection(WebSocket socket, EnvelopeSession session, RealtimeOptions options, ILogger<WebSocketConnection> logger)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    // Cancelled to cut the socket. Not disposed: late callbacks (shutdown, overflow) may still arm its timer.
    private readonly CancellationTokenSource _abort = new();
    private int _closing;

    /// <summary>The connection under the WebSocket, when it can hold frames: a batch of events then goes out in one write.</summary>
    public FrameBatchStream? Frames { get; init; }

    public async Task RunAsync(CancellationToken stopping, CancellationToken aborted)
    {
        using var abortOnCut = _abort.Token.Register(socket.Abort);
        using var cutWhenClientLeaves = aborted.Register(_abort.Cancel);
        using var pushStop = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        using var closeOnStop = stopping.Register(() => _ = CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", session.StoppingNotice()));
        using var cutOnOverflow = session.Subscription.Overflowed.Register(() => _abort.CancelAfter(options.DisconnectGrace));
        using var closeUnauthenticated = session.Authentication?.TimedOut.Register(() => _ = CloseAsync(WebSocketCloseStatus.PolicyViolation,
            "unauthenticated: send {\"model\":\"auth\",\"data\":{\"key\":...}} first", null));
        LogOpened(logger, session.NextTraceId());

        var push = PushAsync(pushStop.Token);
        try
        {
            await ReceiveAsync();
        }
        catch (WebSocketException ex) when (_abort.IsCancellationRequested || socket.State != WebSocketState.Open)
        {
            if (!_abort.IsCancellationRequested)
            {
                // The WebSocket ended itself (1007 for a text message that is not UTF-8, a protocol error): it has sent
                // its close frame. Keep the connection until the client leaves or the grace period ends, so the client
                // reads that frame instead of a reset.
                LogEndedByProtocol(logger, session.NextTraceId(), ex.Message);
                try
                {
                    await Task.Delay(options.DisconnectGrace, aborted);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
        finally
        {
            await pushStop.CancelAsync();
            await push;
        }
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        try
        {
            var overflowed = await session.PushEventsAsync(SendEventsAsync, cancellationToken);
            if (overflowed)
            {
                LogOverflow(logger, session.NextTraceId(), options.SubscriberQueueCapacity);
                await CloseAsync(WebSocketCloseStatus.PolicyViolation, "event_queue_overflow: read events faster", session.OverflowNotice());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended while an event was being sent.
        }
    }

    private async Task ReceiveAsync()
    {
        // Small while idle (thousands of subscribers wait here), grown for a long message, shrunk after it.
        var buffer = ArrayPool<byte>.Shared.Rent(IdleBufferBytes);
        var pipeline = new EnvelopePipeline(session, session.MaxInFlight, SendAsync, _abort.Token);
        try
        {
            while (true)
            {
                var length = 0;
                var tooLarge = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (!tooLarge && length == buffer.Length)
                        buffer = Grown(buffer, length);
                    // Past the limit the rest of the message is read and dropped, so the connection stays usable.
                    var room = tooLarge ? buffer.AsMemory() : buffer.AsMemory(length);
                    result = await socket.ReceiveAsync(room, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        // Answer what was received before the close, then close.
                        await pipeline.CompleteAsync();
                        await CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", notice: null);
                        return;
                    }
                    if (!tooLarge)
                    {
                        length += result.Count;
                        tooLarge = length > options.MaxMessageBytes;
                    }
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Binary)
                    await pipeline.SubmitReplyAsync(session.Failure(new Dispatching.RequestError(StatusCodes.Status400BadRequest, RealtimeErrorCodes.UnsupportedFrame,
                        "Binary messages are not read: send each envelope as a UTF-8 JSON text message."), session.NextTraceId(), null));
                else if (tooLarge)
                    await pipeline.SubmitReplyAsync(session.TooLarge("message"));
                else
                    await pipeline.SubmitAsync(buffer.AsSpan(0, length).ToArray()); // the buffer is reused for the next message
                if (buffer.Length > IdleBufferBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(IdleBufferBytes);
                }
            }
        }
        finally
        {
            await pipeline.CompleteAsync();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The receive buffer between messages; a longer message grows it up to McpApi:Realtime:MaxMessageBytes + 1.</summary>
    private const int IdleBufferBytes = 4096;

    /// <summary>A buffer twice as large (at most one byte past the limit, which marks a message as too large), holding the first <paramref name="length"/> bytes.</summary>
    private byte[] Grown(byte[] buffer, int length)
    {
        var size = Math.Min(buffer.Length * 2L, options.MaxMessageBytes + 1L);
        if (size <= buffer.Length)
            return buffer;
        var grown = ArrayPool<byte>.Shared.Rent((int)size);
        buffer.AsSpan(0, length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(buffer);
        return grown;
    }

    private async ValueTask SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _closing) == 0)
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends a batch of events, one text message each, under one hold of the send lock: with <see cref="Frames"/> their
    /// frames (<see cref="WebSocketEventFrame"/>) are written to the connection together, with one flush.
    /// </summary>
    private async ValueTask SendEventsAsync(IReadOnlyList<Events.ModelEvent> events, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (Frames is not { } frames)
            {
                foreach (var modelEvent in events)
                {
                    if (Volatile.Read(ref _closing) != 0)
                        return;
                    await socket.SendAsync(RealtimeJson.Encoded(modelEvent), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
                return;
            }
            // Each event's frame is encoded once and shared by every subscriber; this send lock keeps them whole and in
            // order with the replies and the close frame, and the stream with the WebSocket's own pongs and pings.
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                throw new WebSocketException(WebSocketError.InvalidState, $"The WebSocket is {socket.State}: no more events are sent.");
            frames.Hold();
            try
            {
                foreach (var modelEvent in events)
                {
                    if (Volatile.Read(ref _closing) != 0)
                        break;
                    frames.Append(WebSocketEventFrame.Of(modelEvent));
                }
            }
            finally
            {
                await ReleaseAsync(frames, cancellationToken);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes the held frames; a cancelled write leaves a frame half sent, so the socket is cut (as the WebSocket does).</summary>
    private async ValueTask ReleaseAsync(FrameBatchStream frames, CancellationToken cancellationToken)
    {
        try
        {
            await frames.ReleaseAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            socket.Abort();
            throw;
        }
    }

    /// <summary>Sends an optional final message and the close frame, once; cuts the socket if the client does not answer in time.</summary>
    private async Task CloseAsync(WebSocketCloseStatus status, string reason, byte[]? notice)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
            return;
        try
        {
            _abort.CancelAfter(options.DisconnectGrace);
            await _sendLock.WaitAsync(_abort.Token);
            try
            {
                if (notice is not null && socket.State == WebSocketState.Open)
                    await socket.SendAsync(notice, WebSocketMessageType.Text, endOfMessage: true, _abort.Token);
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(status, reason, _abort.Token);
            }
            finally
            {
                _sendLock.Release();
            }
            LogClosed(logger, (int)status, reason);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone or did not take the close frame in time; the socket is cut.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket {TraceId} opened")]
    private static partial void LogOpened(ILogger logger, string traceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSocket {TraceId} ended by the protocol: {Reason}")]
    private static partial void LogEndedByProtocol(ILogger logger, string traceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSocket closed with {CloseStatus} ({Reason})")]
    private static partial void LogClosed(ILogger logger, int closeStatus, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket {TraceId} fell {Capacity} events behind and is disconnected")]
    private static partial void LogOverflow(ILogger logger, string traceId, int capacity);
}
