using System.Net.WebSockets;
using System.Text;
using McpApi.Doors.WebSockets;

namespace McpApi.Tests.Realtime;

/// <summary>Frames a server WebSocket writes while held reach the connection in one write and one flush, in order.</summary>
public sealed class FrameBatchStreamTests
{
    [Fact]
    public async Task HeldFramesReachTheConnectionInOneWriteAndOneFlushAndReadBackInOrder()
    {
        var connection = new RecordingStream();
        var frames = new FrameBatchStream(connection);
        using var server = WebSocket.CreateFromStream(frames, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        string[] messages = ["{\"n\":1}", "{\"n\":2,\"text\":\"" + new string('x', 10_000) + "\"}", "{\"n\":3,\"text\":\"é✓\"}"];

        frames.Hold();
        foreach (var message in messages)
            await server.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        connection.Writes.ShouldBeEmpty("held frames wait for the release");
        connection.Flushes.ShouldBe(0);
        frames.HeldBytes.ShouldBeGreaterThan(messages.Sum(m => Encoding.UTF8.GetByteCount(m)));
        await frames.ReleaseAsync(CancellationToken.None);

        connection.Writes.Count.ShouldBe(1, "three frames, one write");
        connection.Flushes.ShouldBe(1);
        frames.HeldBytes.ShouldBe(0);
        (await ReadMessagesAsync(connection.Writes[0], messages.Length)).ShouldBe(messages);
    }

    [Fact]
    public async Task OutsideAHoldEachFrameIsWrittenAndFlushedAtOnce()
    {
        var connection = new RecordingStream();
        var frames = new FrameBatchStream(connection);
        using var server = WebSocket.CreateFromStream(frames, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        await server.SendAsync("{\"n\":1}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        connection.Writes.Count.ShouldBe(1);
        frames.Hold();
        await frames.ReleaseAsync(CancellationToken.None); // an empty hold writes nothing
        await server.SendAsync("{\"n\":2}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        connection.Writes.Count.ShouldBe(2);
        (await ReadMessagesAsync([.. connection.Writes.SelectMany(w => w)], 2)).ShouldBe(["{\"n\":1}", "{\"n\":2}"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(200_000)]
    public async Task EventFramesOfEveryLengthReadBackAsTextMessagesBetweenTheWebSocketsOwnFrames(int length)
    {
        var connection = new RecordingStream();
        var frames = new FrameBatchStream(connection);
        using var server = WebSocket.CreateFromStream(frames, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var eventMessage = "\"" + new string('é', (length - 2) / 2) + new string('a', (length - 2) % 2) + "\"";
        Encoding.UTF8.GetByteCount(eventMessage).ShouldBe(length);

        frames.Hold();
        await server.SendAsync("{\"reply\":1}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        frames.Append(WebSocketEventFrame.Encode(Encoding.UTF8.GetBytes(eventMessage)));
        await server.SendAsync("{\"reply\":2}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await frames.ReleaseAsync(CancellationToken.None);

        connection.Writes.Count.ShouldBe(1);
        (await ReadMessagesAsync(connection.Writes[0], 3)).ShouldBe(["{\"reply\":1}", eventMessage, "{\"reply\":2}"]);
        Should.Throw<InvalidOperationException>(() => frames.Append([0x81, 0]));
    }

    [Fact]
    public async Task AReleaseCancelledWhileTheConnectionIsBusyDropsTheHeldFramesAndHoldsNoMore()
    {
        var connection = new RecordingStream { Blocked = new TaskCompletionSource() };
        var frames = new FrameBatchStream(connection);
        var stuck = frames.WriteAsync(new byte[] { 0x8A, 0 }).AsTask(); // a pong the client does not take: it holds the connection
        frames.Hold();
        frames.Append([0x81, 1, (byte)'1']);
        using var cut = new CancellationTokenSource();
        await cut.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => frames.ReleaseAsync(cut.Token).AsTask());

        frames.HeldBytes.ShouldBe(0);
        Should.Throw<InvalidOperationException>(() => frames.Append([0x81, 1, (byte)'2']), "no longer holding");
        connection.Blocked.SetResult();
        await stuck;
        await frames.WriteAsync(new byte[] { 0x81, 1, (byte)'3' });
        connection.Writes.Select(w => w.Length).ShouldBe([2, 3], "the pong, then the next frame written straight through; the dropped frame never");
    }

    /// <summary>The messages a client reads from <paramref name="wire"/>.</summary>
    private static async Task<string[]> ReadMessagesAsync(byte[] wire, int count)
    {
        using var client = WebSocket.CreateFromStream(new MemoryStream(wire), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var messages = new List<string>();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < count; i++)
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                result.MessageType.ShouldBe(WebSocketMessageType.Text);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            messages.Add(Encoding.UTF8.GetString(message.ToArray()));
        }
        return [.. messages];
    }

    /// <summary>A connection that records each write and counts flushes.</summary>
    private sealed class RecordingStream : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public int Flushes { get; private set; }

        /// <summary>While set and not completed, a write waits for it (a client that does not read).</summary>
        public TaskCompletionSource? Blocked { get; init; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            if (Blocked is { } blocked)
                await blocked.Task;
        }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override void Flush() => Flushes++;

        public override int Read(byte[] buffer, int offset, int count) => 0;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
