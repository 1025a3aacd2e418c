using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace McpApi.Tests.Infrastructure;

/// <summary>What a door answered to one raw message: the HTTP status (HTTP only), the reply, and whether the connection is still open.</summary>
internal sealed record DoorReply(int? HttpStatus, JsonElement? Body, bool Open, string Raw)
{
    public string? Status => Body?.GetProperty("status").GetString();

    public string? Code => Body is { } body && body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("code", out var code) ? code.GetString() : null;

    public string? Message => Body?.GetProperty("message").GetString();

    public override string ToString() => $"{HttpStatus?.ToString() ?? "-"} open={Open} {Raw[..Math.Min(Raw.Length, 400)]}";
}

/// <summary>
/// One connection to one envelope door ("http", "ws" or "tcp") of a <see cref="RealtimeServer"/>, sending raw bytes as
/// they are (a lone surrogate escape or bytes that are not UTF-8 reach the server unchanged). WebSocket and TCP keep
/// one connection across messages, as the README promises they stay open after an error.
/// </summary>
internal sealed class EnvelopeDoor : IAsyncDisposable
{
    public static readonly string[] Names = ["http", "ws", "tcp"];

    private readonly string _door;
    private RealtimeServer _server = null!;
    private HttpClient? _http;
    private ClientWebSocket? _ws;
    private TcpClient? _tcp;
    private NetworkStream? _tcpStream;
    private readonly List<byte> _tcpPending = [];

    private EnvelopeDoor(string door) => _door = door;

    public string Name => _door;

    public static async Task<EnvelopeDoor> OpenAsync(RealtimeServer server, string door)
    {
        var opened = new EnvelopeDoor(door) { _server = server };
        switch (door)
        {
            case "http":
                opened._http = server.CreateClient();
                break;
            case "ws":
                opened._ws = await server.ConnectWebSocketAsync();
                break;
            case "tcp":
                opened._tcp = new TcpClient { NoDelay = true };
                await opened._tcp.ConnectAsync("127.0.0.1", server.TcpPort);
                opened._tcpStream = opened._tcp.GetStream();
                break;
            default:
                throw new ArgumentException($"Unknown door {door}.", nameof(door));
        }
        return opened;
    }

    /// <summary>Opens a new WebSocket after the server closed the last one (as it must for a text message that is not UTF-8).</summary>
    public async Task ReopenWebSocketAsync()
    {
        _ws?.Dispose();
        _ws = await _server.ConnectWebSocketAsync();
    }

    public Task<DoorReply> SendAsync(string text, TimeSpan? timeout = null) => SendAsync(Encoding.UTF8.GetBytes(text), timeout);

    public async Task<DoorReply> SendAsync(byte[] message, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return _door switch
        {
            "http" => await PostAsync(message, cts.Token),
            "ws" => await WebSocketAsync(message, cts.Token),
            _ => await TcpAsync(message, cts.Token),
        };
    }

    private async Task<DoorReply> PostAsync(byte[] message, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(message);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http!.PostAsync("/mcp", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new DoorReply((int)response.StatusCode, TryParse(text), true, text);
    }

    private async Task<DoorReply> WebSocketAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _ws!.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken);
            var buffer = new byte[64 * 1024];
            using var received = new MemoryStream();
            while (true)
            {
                var result = await _ws.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                    return new DoorReply(null, null, false, $"close {(int?)result.CloseStatus} {result.CloseStatusDescription}");
                received.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                    break;
            }
            var text = Encoding.UTF8.GetString(received.ToArray());
            return new DoorReply(null, TryParse(text), _ws.State == WebSocketState.Open, text);
        }
        catch (WebSocketException ex)
        {
            return new DoorReply(null, null, false, $"dropped: {ex.Message}");
        }
    }

    private async Task<DoorReply> TcpAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _tcpStream!.WriteAsync(message.Concat("\n"u8.ToArray()).ToArray(), cancellationToken);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var newline = _tcpPending.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var line = Encoding.UTF8.GetString(_tcpPending.GetRange(0, newline).ToArray());
                    _tcpPending.RemoveRange(0, newline + 1);
                    return new DoorReply(null, TryParse(line), true, line);
                }
                var read = await _tcpStream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                    return new DoorReply(null, null, false, "closed");
                _tcpPending.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (IOException ex)
        {
            return new DoorReply(null, null, false, $"dropped: {ex.Message}");
        }
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_ws is { State: WebSocketState.Open })
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
        _ws?.Dispose();
        _tcp?.Dispose();
    }
}
