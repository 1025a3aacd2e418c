using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace McpApi.Tests.Infrastructure;

/// <summary>A test's WebSocket: send text, read whole JSON messages with a timeout.</summary>
internal sealed class WsTestClient(WebSocket socket) : IDisposable
{
    public WebSocket Socket => socket;

    public Task SendAsync(object envelope) => SendTextAsync(envelope as string ?? JsonSerializer.Serialize(envelope));

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message, or null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
        }
    }

    public async Task<JsonElement> ReplyAsync(object envelope)
    {
        await SendAsync(envelope);
        return await ReceiveAsync() ?? throw new ShouldAssertException("The socket closed instead of replying.");
    }

    /// <summary>Reads until a message with <c>status</c> = event arrives (replies in between are skipped).</summary>
    public async Task<JsonElement> NextEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var message = await ReceiveAsync(timeout) ?? throw new ShouldAssertException("The socket closed while waiting for an event.");
            if (message.GetProperty("status").GetString() == "event")
                return message;
        }
    }

    public void Dispose() => socket.Dispose();
}

/// <summary>A test's TCP connection to the TCP door: one JSON envelope per line each way.</summary>
internal sealed class TcpTestClient : IDisposable
{
    private readonly TcpClient _client = new();
    private StreamReader _reader = null!;
    private Stream _stream = null!;

    public static async Task<TcpTestClient> ConnectAsync(int port)
    {
        var client = new TcpTestClient();
        await client._client.ConnectAsync("127.0.0.1", port);
        client._stream = client._client.GetStream();
        client._reader = new StreamReader(client._stream, Encoding.UTF8);
        return client;
    }

    public TcpClient Client => _client;

    public async Task SendLineAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await _stream.FlushAsync();
    }

    /// <summary>The next line as JSON, or null at end of stream.</summary>
    public async Task<JsonElement?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var line = await _reader.ReadLineAsync(cts.Token);
        return line is null ? null : JsonDocument.Parse(line).RootElement.Clone();
    }

    public async Task<JsonElement> ReplyAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadAsync() ?? throw new ShouldAssertException("The connection closed instead of replying.");
    }

    public async Task<JsonElement> NextEventAsync()
    {
        while (true)
        {
            var message = await ReadAsync() ?? throw new ShouldAssertException("The connection closed while waiting for an event.");
            if (message.GetProperty("status").GetString() == "event")
                return message;
        }
    }

    public void Dispose() => _client.Dispose();
}
