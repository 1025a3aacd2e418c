using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Doors.Limits;
using McpApi.Doors.Realtime;
using McpApi.Events;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Tcp;

/// <summary>
/// The raw TCP door, as a Kestrel connection handler: one JSON envelope per line in, one reply per line out,
/// in request order (many envelopes in flight through an <see cref="EnvelopePipeline"/>), plus one line per pushed
/// event (queued events written to the socket at once). An oversized or malformed line gets an error line and the
/// connection stays open. Shutdown and overflow end the connection after a final error line saying why.
/// </summary>
public sealed partial class TcpEnvelopeHandler(
    Dispatcher dispatcher, IEventHub hub, IOptions<RealtimeOptions> options, IHostApplicationLifetime lifetime,
    ConnectionLimits limits, ILogger<TcpEnvelopeHandler> logger, CallerAuthentication authentication, CredentialCheck credentials,
    global::McpApi.Limits.AuthFailureLimiter authFailures) : ConnectionHandler
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var place = limits.TryOpen(ConnectionDoor.Tcp, address, out var limit);
        if (place is null)
        {
            await RefuseAsync(connection, limits.Refusal(ConnectionDoor.Tcp, limit!, address));
            return;
        }
        var settings = options.Value;
        // TCP has no headers: with authentication on, the first line must be {"model":"auth","data":{"key":...}}.
        using var session = new EnvelopeSession("tcp", connection.ConnectionId, dispatcher, hub, settings)
        {
            ClientAddress = address,
            Authentication = authentication.Required ? new SessionAuthentication(credentials, authFailures, authentication.Options, null, address, "tcp") { Place = place } : null,
        };
        var writer = new LineWriter(connection.Transport.Output);
        var input = connection.Transport.Input;
        using var deadline = new TcpReadDeadline(limits.Settings, session.Subscription, input);
        using var cut = new CancellationTokenSource();
        using var abortOnCut = cut.Token.Register(() => connection.Abort(new ConnectionAbortedException("The client did not read its final line in time.")));
        // Kestrel signals ConnectionClosed as soon as the client half-closes (e.g. `echo ... | nc -N`): the lines already
        // received are still answered, within the grace period.
        using var cutAfterClientLeaves = connection.ConnectionClosed.Register(() => TryCancelAfter(cut, settings.DisconnectGrace));
        using var pushStop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        using var endOnStop = lifetime.ApplicationStopping.Register(input.CancelPendingRead);
        using var endUnauthenticated = session.Authentication?.TimedOut.Register(input.CancelPendingRead);
        using var endOnOverflow = session.Subscription.Overflowed.Register(() =>
        {
            // Stop reading and delivering; the final line goes out after both loops end.
            input.CancelPendingRead();
            pushStop.Cancel();
            TryCancelAfter(cut, settings.DisconnectGrace);
        });
        LogOpened(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());

        var push = session.PushEventsAsync(writer.WriteEventsAsync, pushStop.Token);
        var pipeline = new EnvelopePipeline(session, session.MaxInFlight, writer.WriteLineAsync, cut.Token);
        try
        {
            var httpLine = await ReadLinesAsync(input, pipeline, session, settings.MaxMessageBytes, deadline, cut.Token);
            await pipeline.CompleteAsync(); // the lines already read are answered before any final line
            if (httpLine is not null)
            {
                LogHttpRefused(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), httpLine);
                return;
            }

            byte[]? finalLine = null;
            if (session.Authentication is { Identity: null, TimedOut.IsCancellationRequested: true })
                finalLine = session.Failure(new RequestError(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated,
                    $"No credential within {authentication.Options.FirstMessageSeconds} seconds (Auth:FirstMessageSeconds): send {{\"model\":\"auth\",\"data\":{{\"key\":\"...\"}}}} as the first line. Closing."),
                    session.NextTraceId(), null);
            else if (deadline.HasExpired())
            {
                LogTimedOut(logger, connection.ConnectionId, ConnectionLimitOptions.Section + ":" + deadline.Expired);
                finalLine = session.Failure(deadline.Notice(), session.NextTraceId(), null);
            }
            else if (session.Subscription.Overflowed.IsCancellationRequested)
            {
                LogOverflow(logger, connection.ConnectionId, settings.SubscriberQueueCapacity);
                finalLine = session.OverflowNotice();
            }
            else if (lifetime.ApplicationStopping.IsCancellationRequested)
                finalLine = session.StoppingNotice();
            if (finalLine is not null)
            {
                TryCancelAfter(cut, settings.DisconnectGrace);
                await pushStop.CancelAsync();
                await push;
                await writer.WriteLineAsync(finalLine, cut.Token);
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away, or was cut.
        }
        finally
        {
            await pipeline.CompleteAsync();
            await pushStop.CancelAsync();
            await push;
            LogClosed(logger, connection.ConnectionId);
        }
    }

    /// <summary>Answers each line; returns the start of a line that looks like HTTP (the connection is then closed), else null.</summary>
    private static async Task<string?> ReadLinesAsync(PipeReader input, EnvelopePipeline pipeline, EnvelopeSession session, int maxLine, TcpReadDeadline deadline, CancellationToken cut)
    {
        var discarding = false; // inside a line already known to be too long
        long pending = 0; // bytes of an unfinished line
        var lines = 0;
        while (true)
        {
            deadline.Arm(pending, lines);
            var read = await input.ReadAsync(cut);
            var buffer = read.Buffer;
            if (read.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }
            deadline.Disarm();

            lines = 0;
            while (TryTakeLine(ref buffer, out var line))
            {
                lines++;
                if (HttpLineStart(line) is { } http)
                {
                    input.AdvanceTo(buffer.End);
                    return http;
                }
                if (discarding || line.Length > maxLine)
                {
                    discarding = false;
                    await pipeline.SubmitReplyAsync(session.TooLarge("line"));
                }
                else if (!IsBlank(line))
                {
                    await pipeline.SubmitAsync(line.ToArray());
                }
            }

            // One byte over the limit may be the '\r' of a "\r\n" whose '\n' has not arrived yet.
            if (buffer.Length > maxLine + 1)
            {
                discarding = true;
                buffer = buffer.Slice(buffer.End);
            }
            else if (discarding)
                buffer = buffer.Slice(buffer.End);
            pending = discarding ? Math.Max(1, buffer.Length) : buffer.Length;

            if (read.IsCompleted)
            {
                if (HttpLineStart(buffer) is { } http)
                {
                    input.AdvanceTo(buffer.End);
                    return http;
                }
                // A last line without a newline still counts, and so does its being too long.
                if (discarding || WithoutCarriageReturn(buffer).Length > maxLine)
                    await pipeline.SubmitReplyAsync(session.TooLarge("line"));
                else if (!buffer.IsEmpty && !IsBlank(buffer))
                    await pipeline.SubmitAsync(buffer.ToArray());
                input.AdvanceTo(buffer.End);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Past a connection cap: one error line saying which setting, then the connection is closed.</summary>
    private static async Task RefuseAsync(ConnectionContext connection, RequestError error)
    {
        try
        {
            var line = RealtimeJson.Serialize(SessionReply.From(Dispatcher.Failure(error, connection.ConnectionId).Response, null));
            await connection.Transport.Output.WriteAsync(line);
            await connection.Transport.Output.WriteAsync(NewLine);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or InvalidOperationException or IOException)
        {
        }
    }

    private static readonly byte[][] HttpStarts =
    [
        .. new[] { "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI * HTTP/2" }
            .Select(Encoding.ASCII.GetBytes),
    ];

    /// <summary>
    /// A request line (<c>POST / HTTP/1.1</c>) or a <c>Host:</c> header: what a browser tricked into posting to this port
    /// sends. A JSON envelope starts with '{' (or blanks), so no envelope is mistaken for it. Returns the line's start for the log.
    /// </summary>
    private static string? HttpLineStart(ReadOnlySequence<byte> line)
    {
        Span<byte> start = stackalloc byte[16];
        var length = (int)Math.Min(line.Length, start.Length);
        line.Slice(0, length).CopyTo(start);
        start = start[..length];
        var looksLikeHttp = start.Length >= 5 && Ascii.EqualsIgnoreCase(start[..5], "host:"u8);
        foreach (var method in HttpStarts)
            looksLikeHttp |= start.StartsWith(method);
        return looksLikeHttp ? Encoding.ASCII.GetString(start) : null;
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = WithoutCarriageReturn(buffer.Slice(0, newline.Value));
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static ReadOnlySequence<byte> WithoutCarriageReturn(ReadOnlySequence<byte> line) =>
        !line.IsEmpty && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r' ? line.Slice(0, line.Length - 1) : line;

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    return false;
            }
        }
        return true;
    }

    private static void TryCancelAfter(CancellationTokenSource source, TimeSpan delay)
    {
        try
        {
            source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Replies and events share the output: whole lines only; a batch of events is flushed to the socket once.</summary>
    private sealed class LineWriter(PipeWriter output)
    {
        private readonly SemaphoreSlim _lock = new(1, 1);

        public async ValueTask WriteLineAsync(byte[] json, CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                output.Write(json);
                output.Write(NewLine);
                await output.FlushAsync(cancellationToken);
            }
            finally
            {
                _lock.Release();
            }
        }

        /// <summary>Writes each event as its line (<see cref="TcpEventLine"/>, encoded once and shared by every subscriber).</summary>
        public async ValueTask WriteEventsAsync(IReadOnlyList<ModelEvent> events, CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                foreach (var modelEvent in events)
                    output.Write(TcpEventLine.Of(modelEvent));
                await output.FlushAsync(cancellationToken);
            }
            finally
            {
                _lock.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "TCP connection {ConnectionId} from {Remote} opened")]
    private static partial void LogOpened(ILogger logger, string connectionId, string? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection {ConnectionId} from {Remote} sent HTTP ({LineStart}...), not JSON lines: closed without running any of it (a browser may have been made to post to this port)")]
    private static partial void LogHttpRefused(ILogger logger, string connectionId, string? remote, string lineStart);

    [LoggerMessage(Level = LogLevel.Debug, Message = "TCP connection {ConnectionId} closed")]
    private static partial void LogClosed(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "TCP connection {ConnectionId} closed: {Setting} ran out")]
    private static partial void LogTimedOut(ILogger logger, string connectionId, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection {ConnectionId} fell {Capacity} events behind and is disconnected")]
    private static partial void LogOverflow(ILogger logger, string connectionId, int capacity);
}
