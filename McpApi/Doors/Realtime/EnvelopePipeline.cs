using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace McpApi.Doors.Realtime;

/// <summary>
/// Many envelopes of one WebSocket or TCP connection in flight at once, up to
/// <see cref="RealtimeOptions.MaxInFlightPerConnection"/>: each starts as soon as it is read (so writes from one
/// connection share commits), and the replies still leave in request order. A <c>subscribe</c> command is a barrier:
/// it runs after every earlier envelope has been answered and before any later one starts, so a subscription covers
/// exactly the envelopes sent after it, as when envelopes ran one at a time.
/// </summary>
public sealed class EnvelopePipeline
{
    private readonly EnvelopeSession _session;
    private readonly int _maxInFlight;
    private readonly Func<byte[], CancellationToken, ValueTask> _send;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _slots;
    private readonly Channel<Task<byte[]>> _replies = Channel.CreateUnbounded<Task<byte[]>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop; // the connection's token, or a failed send
    private readonly Task _sending;
    private ExceptionDispatchInfo? _sendFailure;

    /// <param name="send">Sends one reply; called one reply at a time, in request order.</param>
    /// <param name="cancellationToken">Cuts the connection: envelopes in flight are cancelled and no more replies are sent.</param>
    public EnvelopePipeline(EnvelopeSession session, int maxInFlight, Func<byte[], CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _session = session;
        _maxInFlight = maxInFlight;
        _send = send;
        _cancellationToken = cancellationToken;
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sending = SendRepliesAsync();
    }

    /// <summary>
    /// Starts answering one message (the pipeline owns <paramref name="message"/> from now on). Waits while
    /// <see cref="RealtimeOptions.MaxInFlightPerConnection"/> envelopes are unanswered, so a fast sender is held back
    /// by not reading its socket rather than by memory.
    /// </summary>
    public async ValueTask SubmitAsync(ReadOnlyMemory<byte> message)
    {
        var barrier = EnvelopeSession.RunsAlone(message.Span);
        if (barrier)
            await DrainAsync();
        await WaitForSlotAsync();
        _replies.Writer.TryWrite(_session.HandleAsync(message, _cancellationToken).AsTask());
        if (barrier)
            await DrainAsync();
    }

    /// <summary>Queues a reply the door made itself (a message too large, a binary frame), in request order.</summary>
    public async ValueTask SubmitReplyAsync(byte[] reply)
    {
        await WaitForSlotAsync();
        _replies.Writer.TryWrite(Task.FromResult(reply));
    }

    /// <summary>
    /// Sends the replies still in flight (or, once sending has failed, waits for their envelopes to finish), then stops;
    /// call when no more messages will be read.
    /// </summary>
    public async Task CompleteAsync()
    {
        _replies.Writer.TryComplete();
        await _sending;
    }

    /// <summary>Waits until every envelope submitted so far has been answered and its reply sent.</summary>
    private async Task DrainAsync()
    {
        for (var taken = 0; taken < _maxInFlight; taken++)
            await WaitForSlotAsync();
        _slots.Release(_maxInFlight);
    }

    /// <summary>Takes a slot; when sending has failed, throws what the send threw, as the door's own send would have.</summary>
    private async Task WaitForSlotAsync()
    {
        try
        {
            await _slots.WaitAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_sendFailure is not null)
        {
        }
        _sendFailure?.Throw();
    }

    private async Task SendRepliesAsync()
    {
        await Task.Yield(); // the constructor returns at once
        await foreach (var reply in _replies.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                var bytes = await reply;
                if (_sendFailure is null)
                    await _send(bytes, _cancellationToken);
            }
            catch (Exception ex) when (_sendFailure is null)
            {
                // The connection ended (cut, reset, closed) while replies were due, or an answer failed: stop sending;
                // the read loop gets the exception from its next SubmitAsync, as it got it from its own send before.
                _sendFailure = ExceptionDispatchInfo.Capture(ex);
                await _stop.CancelAsync();
            }
            catch (Exception)
            {
                // After a failure the envelopes still in flight are only waited for, so none outlives the connection.
            }
            _slots.Release();
        }
    }
}
