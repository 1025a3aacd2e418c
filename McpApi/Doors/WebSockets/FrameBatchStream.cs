using System.Buffers;

namespace McpApi.Doors.WebSockets;

/// <summary>
/// The upgraded connection under a server WebSocket, able to hold frames: between <see cref="Hold"/> and
/// <see cref="ReleaseAsync"/> every frame the WebSocket writes (one <c>WriteAsync</c> and one <c>FlushAsync</c> each)
/// is appended to a pooled buffer, and the release writes them all to the connection at once with one flush. The
/// <see cref="System.Net.WebSockets.WebSocket"/> API sends each message on its own; this lets a batch of queued events
/// go out as frames back to back in one socket write, as TCP lines and SSE events do. Outside a hold it passes
/// writes straight through; reads always pass through. Writes to the connection never overlap: the WebSocket's own
/// frames (pongs, keep-alive pings) written during a release wait for it.
/// </summary>
public sealed class FrameBatchStream(Stream connection) : Stream
{
    private const int FirstBufferBytes = 4096;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _gate = new();
    private byte[]? _held; // rented while holding
    private int _heldBytes;
    private bool _holding;

    /// <summary>Bytes written and not yet sent (0 outside a hold).</summary>
    public int HeldBytes
    {
        get { lock (_gate) return _heldBytes; }
    }

    /// <summary>
    /// Adds a whole frame encoded by the caller (an event's <see cref="WebSocketEventFrame"/>, shared by every
    /// subscriber) to the held frames, after any frame the WebSocket wrote before it. Only while holding.
    /// </summary>
    public void Append(ReadOnlySpan<byte> frame)
    {
        if (!TryHoldWrite(frame))
            throw new InvalidOperationException("Frames are appended only between Hold and ReleaseAsync.");
    }

    /// <summary>From now on, frames the WebSocket writes are held until <see cref="ReleaseAsync"/>.</summary>
    public void Hold()
    {
        lock (_gate)
            _holding = true;
    }

    /// <summary>Writes every held frame to the connection in one write and one flush, and stops holding.</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _writing.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The connection is being cut: the held frames are dropped, and nothing more is held.
            lock (_gate)
            {
                _holding = false;
                if (_held is not null)
                    ArrayPool<byte>.Shared.Return(_held);
                (_held, _heldBytes) = (null, 0);
            }
            throw;
        }
        byte[]? held;
        int length;
        lock (_gate)
        {
            _holding = false;
            (held, length) = (_held, _heldBytes);
            (_held, _heldBytes) = (null, 0);
        }
        try
        {
            if (length > 0)
            {
                await connection.WriteAsync(held.AsMemory(0, length), cancellationToken);
                await connection.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            if (held is not null)
                ArrayPool<byte>.Shared.Return(held);
            _writing.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryHoldWrite(buffer.Span))
            return;
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await connection.WriteAsync(buffer, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (TryHoldWrite(buffer))
            return;
        _writing.Wait();
        try
        {
            connection.Write(buffer);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_holding)
                return; // the release flushes
        }
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await connection.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    private bool TryHoldWrite(ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            if (!_holding)
                return false;
            if (_held is null || _held.Length - _heldBytes < frame.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(FirstBufferBytes, (_heldBytes + frame.Length) * 2));
                if (_held is not null)
                {
                    _held.AsSpan(0, _heldBytes).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(_held);
                }
                _held = grown;
            }
            frame.CopyTo(_held.AsSpan(_heldBytes));
            _heldBytes += frame.Length;
            return true;
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        connection.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => connection.Read(buffer, offset, count);

    public override bool CanRead => connection.CanRead;

    public override bool CanWrite => connection.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Not waiting for a write in progress: an aborted WebSocket disposes its stream to end a stuck write.
        if (disposing)
            connection.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        await base.DisposeAsync();
    }
}
