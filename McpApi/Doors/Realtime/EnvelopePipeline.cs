using System.Runtime.ExceptionServices;

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
    // The last reply's sending: each reply is sent after the one before it. An idle connection holds only this.
    private Task _sent = Task.CompletedTask;
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
    }

    /// <summary>
    /// Starts answering one message (the pipeline owns <paramref name="message"/> from now on). Waits while
    /// <see cref="RealtimeOptions.MaxInFlightPerConnection"/> envelopes are unanswered, so a fast sender is held back
    /// by not reading its socket rather than by memory. Called by the connection's one read loop.
    /// </summary>
    public async ValueTask SubmitAsync(ReadOnlyMemory<byte> message)
    {
        var barrier = EnvelopeSession.RunsAlone(message.Span);
        if (barrier)
            await DrainAsync();
        await WaitForSlotAsync();
        _sent = SendInOrderAsync(_sent, _session.HandleAsync(message, _cancellationToken).AsTask());
        if (barrier)
            await DrainAsync();
    }

    /// <summary>Queues a reply the door made itself (a message too large, a binary frame), in request order.</summary>
    public async ValueTask SubmitReplyAsync(byte[] reply)
    {
        await WaitForSlotAsync();
        _sent = SendInOrderAsync(_sent, Task.FromResult(reply));
    }

    /// <summary>
    /// Waits until the replies in flight are sent (or, once sending has failed, until their envelopes have finished);
    /// call when no more messages will be read.
    /// </summary>
    public Task CompleteAsync() => _sent;

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
        _sendFailure?.Throw();
        await _slots.WaitAsync(_cancellationToken);
        if (_sendFailure is { } failure)
        {
            _slots.Release();
            failure.Throw();
        }
    }

    private async Task SendInOrderAsync(Task previous, Task<byte[]> answer)
    {
        try
        {
            await previous; // never throws: failures are kept in _sendFailure
            var reply = await answer;
            if (_sendFailure is null)
                await _send(reply, _cancellationToken);
        }
        catch (Exception ex) when (_sendFailure is null)
        {
            // The connection ended (cut, reset, closed) while replies were due, or an answer failed: stop sending;
            // the read loop gets the exception from its next SubmitAsync, as it got it from its own send before.
            _sendFailure = ExceptionDispatchInfo.Capture(ex);
        }
        catch (Exception)
        {
            // After a failure the envelopes still in flight are only waited for, so none outlives the connection.
        }
        finally
        {
            _slots.Release();
        }
    }
}
